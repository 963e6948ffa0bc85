namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Threads that keep every core busy until disposed (plain spinning at normal priority), so that more threads want
/// the cores than there are. Tests using it run alone (<see cref="MultiProcess.MultiProcessCollection"/>).
/// </summary>
public sealed class BusyThreads : IDisposable
{
    private readonly List<Thread> _threads = new();
    private volatile bool _stop;

    public BusyThreads(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var thread = new Thread(() =>
            {
                while (!_stop)
                    Thread.SpinWait(1000);
            }) { IsBackground = true, Name = "busy-" + i };
            thread.Start();
            _threads.Add(thread);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _threads.ForEach(t => t.Join());
    }
}
