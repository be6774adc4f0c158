"""python -m services.folkeregister_adapter"""

from services.folkeregister_adapter.app import create_app
from services.plumbing.serve import serve
from shared.settings import FolkeregisterAdapterSettings

serve(create_app, FolkeregisterAdapterSettings())
