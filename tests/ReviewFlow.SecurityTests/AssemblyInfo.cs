// The tests share real servers: one collection at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
