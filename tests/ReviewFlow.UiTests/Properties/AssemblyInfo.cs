// Two cores and one system per collection: browser tests run one at a time, so timings stay predictable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
