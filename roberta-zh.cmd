@echo off
rem Thin launcher over the Release build of the command-line tool (run build.cmd first).
dotnet "%~dp0src\Microsoft.ML.RobertaZh.Cli\bin\Release\net10.0\roberta-zh.dll" %*
