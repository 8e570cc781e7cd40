// The tests share real servers and measure timings: one collection at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
