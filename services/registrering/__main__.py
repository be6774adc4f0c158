"""python -m services.registrering"""

from services.plumbing.serve import serve
from services.registrering.app import create_app
from shared.settings import RegistreringSettings

serve(create_app, RegistreringSettings())
