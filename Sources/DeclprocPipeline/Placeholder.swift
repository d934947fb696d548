// DeclprocPipeline
