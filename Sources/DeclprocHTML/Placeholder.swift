// DeclprocHTML
