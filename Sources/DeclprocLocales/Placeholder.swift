// DeclprocLocales
