using Polly;

namespace ThrottleKit.Internal;

/// <summary>
/// A call's cost as the context's properties hold it: an <see cref="object"/>. Setting it through the typed
/// <see cref="ThrottlingProperties.Cost"/> key boxes the <see cref="int"/> on every call; small costs (every call that is not a
/// bulk send) share boxes made once, which are immutable. The strategy reads the property by its name, as an <see cref="int"/>.
/// </summary>
internal static class BoxedCost
{
    private static readonly object[] Small = CreateSmall(64);

    /// <summary>Gets the key of <see cref="ThrottlingProperties.Cost"/>, typed to take a value already boxed.</summary>
    public static ResiliencePropertyKey<object> Key { get; } = new(ThrottlingProperties.Cost.Key);

    /// <summary>The cost, boxed.</summary>
    /// <param name="cost">The cost; not negative.</param>
    /// <returns>A shared box for a small cost, a new one otherwise.</returns>
    public static object Of(int cost) => (uint)cost < (uint)Small.Length ? Small[cost] : cost;

    private static object[] CreateSmall(int count)
    {
        var boxes = new object[count + 1];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i] = i;
        }

        return boxes;
    }
}
