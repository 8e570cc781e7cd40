// The fault tests start processes, restart servers and measure recovery times: one test at a time. They run as an
// assembly of their own so that `dotnet test` runs them beside the integration tests (CI's critical path).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
