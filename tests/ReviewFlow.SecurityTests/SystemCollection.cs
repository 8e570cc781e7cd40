namespace ReviewFlow.SecurityTests;

/// <summary>The shared system (<see cref="TestSystem"/>) of the test classes that need nothing of their own.</summary>
[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<TestSystem>
{
    public const string Name = "ReviewFlow system";
}
