// DeclprocExtract
