// DeclprocReader
