@echo off
rem Builds the solution in Release; "build.cmd test" also runs the unit tests.
setlocal
cd /d "%~dp0"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
if "%1"=="" goto build
if "%1"=="build" goto build
if "%1"=="test" goto test
if "%1"=="bench" goto bench
echo usage: build.cmd [build^|test^|bench] [args...]
exit /b 2
:build
dotnet build Microsoft.ML.RobertaZh.sln -c Release
exit /b %ERRORLEVEL%
:test
dotnet build Microsoft.ML.RobertaZh.sln -c Release || exit /b 1
dotnet test Microsoft.ML.RobertaZh.sln -c Release --no-build || exit /b 1
rem The kernels again with AVX-512, then AVX2, switched off (the AVX2 and portable paths, as on CPUs without them).
set DOTNET_EnableAVX512=0
dotnet test test\Microsoft.ML.RobertaZh.Tests -c Release --no-build --filter "FullyQualifiedName~.Tensors." || exit /b 1
set DOTNET_EnableAVX512=
set DOTNET_EnableAVX2=0
dotnet test test\Microsoft.ML.RobertaZh.Tests -c Release --no-build --filter "FullyQualifiedName~.Tensors."
exit /b %ERRORLEVEL%
:bench
shift
dotnet run -c Release --project eval\Microsoft.ML.RobertaZh.Benchmarks -- %*
exit /b %ERRORLEVEL%
