global using ReviewFlow.Testing;
