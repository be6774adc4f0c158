"""python -m services.regelmotor"""

from services.regelmotor.app import create_app
from services.plumbing.runtime import serve
from shared.settings import RegelmotorSettings

serve(create_app, RegelmotorSettings())
