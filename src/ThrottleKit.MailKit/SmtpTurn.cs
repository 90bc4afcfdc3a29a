using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.MailKit;

/// <summary>
/// Whose message goes next on one SMTP connection: the connection sends one message at a time, and a message waits for its
/// turn before it waits for its permits. Turns go by <see cref="ThrottlePriority"/> (the <see cref="PriorityScope"/> the send
/// was made in), first in, first out within one: a password reset does not wait behind the newsletter queued on the same
/// connection, as it does not in the limiter behind it.
/// </summary>
internal sealed class SmtpTurn
{
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource<bool>>[] _waiting = [new(), new(), new()];
    private bool _taken;

    /// <summary>Waits for the turn; cancelling gives up the place in the queue.</summary>
    public async Task WaitAsync(ThrottlePriority priority, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> turn;
        LinkedListNode<TaskCompletionSource<bool>> place;
        lock (_lock)
        {
            if (!_taken)
            {
                _taken = true;
                return;
            }

            turn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            place = _waiting[(int)priority].AddLast(turn);
        }

        using (cancellationToken.Register(() => GiveUp(place, cancellationToken)))
        {
            await turn.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Hands the turn to the next message, the highest priority's oldest.</summary>
    public void Release()
    {
        TaskCompletionSource<bool>? next = null;
        lock (_lock)
        {
            foreach (var queue in _waiting)
            {
                if (queue.First is { } first)
                {
                    queue.RemoveFirst();
                    next = first.Value;
                    break;
                }
            }

            _taken = next is not null;
        }

        next?.TrySetResult(true);
    }

    private void GiveUp(LinkedListNode<TaskCompletionSource<bool>> place, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (place.List is null)
            {
                // Already handed the turn: the waiter takes it and releases it as usual.
                return;
            }

            place.List.Remove(place);
        }

        place.Value.TrySetCanceled(cancellationToken);
    }
}
