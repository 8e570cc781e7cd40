global using ReviewFlow.Testing;
global using ReviewFlow.Testing.Processes;
