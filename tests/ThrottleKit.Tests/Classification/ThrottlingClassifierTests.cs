using System;
using Moq;
using ThrottleKit;

namespace ThrottleKit.Tests.Classification;

public class ThrottlingClassifierTests
{
    [Fact]
    public void A_combination_takes_the_first_answer_that_is_not_unknown()
    {
        var error = new InvalidOperationException("Daily message quota exceeded.");
        var specific = new Mock<IThrottlingClassifier>();
        specific.Setup(c => c.Classify(error)).Returns(ThrottlingClassification.Terminal);
        var broad = new Mock<IThrottlingClassifier>();
        broad.Setup(c => c.Classify(It.IsAny<Exception>())).Returns(ThrottlingClassification.Retriable);

        var combined = ThrottlingClassifier.Combine(specific.Object, broad.Object);

        Assert.Equal(ThrottlingClassification.Terminal, combined.Classify(error));
        broad.Verify(c => c.Classify(It.IsAny<Exception>()), Times.Never);
    }

    [Fact]
    public void A_combination_falls_through_unknowns()
    {
        var combined = ThrottlingClassifier.Combine(
            ThrottlingClassifier.None,
            ThrottlingClassifier.Create(e => e is TimeoutException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown));

        Assert.Equal(ThrottlingClassification.Retriable, combined.Classify(new TimeoutException()));
        Assert.Equal(ThrottlingClassification.Unknown, combined.Classify(new InvalidOperationException()));
    }

    [Fact]
    public void None_recognises_nothing()
    {
        Assert.Equal(ThrottlingClassification.Unknown, ThrottlingClassifier.None.Classify(new TimeoutException()));
    }

    [Fact]
    public void Null_arguments_are_rejected_with_their_names()
    {
        Assert.Equal("classify", Assert.Throws<ArgumentNullException>(() => ThrottlingClassifier.Create(null!)).ParamName);
        Assert.Equal("classifiers", Assert.Throws<ArgumentNullException>(() => ThrottlingClassifier.Combine(ThrottlingClassifier.None, null!)).ParamName);
        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => ThrottlingClassifier.None.Classify(null!)).ParamName);
    }
}
