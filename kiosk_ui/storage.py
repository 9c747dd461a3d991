"""Static files with content-hashed names, including the screens' ES module imports."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    # Rewrite ``import … from "./client.js"`` to the hashed name too, so modules can be
    # cached for a year like everything else.
    support_js_module_import_aggregation = True
