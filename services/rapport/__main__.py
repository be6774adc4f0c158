"""python -m services.rapport"""

from services.plumbing.serve import serve
from services.rapport.app import create_app
from shared.settings import RapportSettings

serve(create_app, RapportSettings())
