"""python -m services.registrering"""

from services.registrering.app import create_app
from services.plumbing.runtime import serve
from shared.settings import RegistreringSettings

serve(create_app, RegistreringSettings())
