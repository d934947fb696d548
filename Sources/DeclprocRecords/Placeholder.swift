// DeclprocRecords
