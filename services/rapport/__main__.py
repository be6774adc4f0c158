"""python -m services.rapport"""

from services.rapport.app import create_app
from services.plumbing.runtime import serve
from shared.settings import RapportSettings

serve(create_app, RapportSettings())
