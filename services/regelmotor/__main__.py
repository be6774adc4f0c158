"""python -m services.regelmotor"""

from services.plumbing.serve import serve
from services.regelmotor.app import create_app
from shared.settings import RegelmotorSettings

serve(create_app, RegelmotorSettings())
