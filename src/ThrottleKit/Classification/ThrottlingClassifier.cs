using System;
using System.Collections.Generic;
using System.Linq;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>Builds classifiers from a function and composes them.</summary>
public static class ThrottlingClassifier
{
    /// <summary>A classifier that recognises nothing: every failure is terminal.</summary>
    public static IThrottlingClassifier None { get; } = new DelegateClassifier(static _ => ThrottlingClassification.Unknown);

    /// <summary>A classifier backed by a function.</summary>
    /// <param name="classify">Returns the classification of a failure; must be thread-safe.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="classify"/> is <see langword="null"/>.</exception>
    public static IThrottlingClassifier Create(Func<Exception, ThrottlingClassification> classify)
        => new DelegateClassifier(Guard.NotNull(classify));

    /// <summary>
    /// A classifier that asks each of <paramref name="classifiers"/> in order and takes the first answer that is not
    /// <see cref="ThrottlingClassification.Unknown"/>; put the most specific first (an explicit terminal, such as a spent
    /// daily quota, must come before a broader rule that would call it retriable).
    /// </summary>
    /// <param name="classifiers">The classifiers, most specific first.</param>
    /// <returns>The composite classifier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="classifiers"/> or one of its items is <see langword="null"/>.</exception>
    public static IThrottlingClassifier Combine(params IThrottlingClassifier[] classifiers)
        => Combine((IEnumerable<IThrottlingClassifier>)Guard.NotNull(classifiers));

    /// <inheritdoc cref="Combine(IThrottlingClassifier[])" />
    public static IThrottlingClassifier Combine(IEnumerable<IThrottlingClassifier> classifiers)
    {
        var list = Guard.NotNull(classifiers).ToArray();
        if (Array.IndexOf(list, null) >= 0)
        {
            throw new ArgumentNullException(nameof(classifiers), "A classifier in the list is null.");
        }

        return list.Length == 1 ? list[0] : new CompositeClassifier(list);
    }

    private sealed class DelegateClassifier(Func<Exception, ThrottlingClassification> classify) : IThrottlingClassifier
    {
        public ThrottlingClassification Classify(Exception exception) => classify(Guard.NotNull(exception));
    }

    private sealed class CompositeClassifier(IThrottlingClassifier[] classifiers) : IThrottlingClassifier
    {
        public ThrottlingClassification Classify(Exception exception)
        {
            Guard.NotNull(exception);
            foreach (var classifier in classifiers)
            {
                var classification = classifier.Classify(exception);
                if (classification != ThrottlingClassification.Unknown)
                {
                    return classification;
                }
            }

            return ThrottlingClassification.Unknown;
        }
    }
}
