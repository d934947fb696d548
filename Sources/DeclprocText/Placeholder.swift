// DeclprocText
