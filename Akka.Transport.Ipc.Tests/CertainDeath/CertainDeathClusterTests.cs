using System.Diagnostics;
using System.Globalization;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.CertainDeath;

/// <summary>
/// A three-member Akka.Cluster in plain akka.ipc mode, one member per process (NodeHost's cluster member commands),
/// Akka's default failure detector and downing provider. kill -9 of a member: the others see it unreachable within
/// 1.5 s (Akka's detector alone: ~4.5 s); with <c>down-dead-peers = on</c> it is removed within 3 s, with it off it is
/// not (the downing provider's stable-after is 20 s). A new incarnation on the same port rejoins and stays Up: the
/// reactions to its predecessor's death never touch it.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class CertainDeathClusterTests(ITestOutputHelper output) : MultiProcessTestKit(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan UnreachableBound = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan RemovedBound = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StaysUp = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public async Task A_killed_member_is_unreachable_at_once_removed_only_with_down_dead_peers_and_its_restart_stays_up(string downDeadPeers)
    {
        var a = await StartMemberAsync("A", seed: null, downDeadPeers);
        var b = await StartMemberAsync("B", a.Address, downDeadPeers);
        var c = await StartMemberAsync("C", a.Address, downDeadPeers);
        foreach (var observer in new[] { a, b, c })
            foreach (var member in new[] { a, b, c })
                await observer.Node.WaitForLineAsync(l => l.StartsWith($"MEMBER-UP {member.Id} ", StringComparison.Ordinal), Timeout);

        long killedAt = Stopwatch.GetTimestamp();
        Assert.Equal(0, Syscall.kill(c.Node.ProcessId, Signum.SIGKILL));
        foreach (var survivor in new[] { a, b })
        {
            var unreachable = await SecondsAfterAsync(survivor, "MEMBER-UNREACHABLE", c, killedAt, TimeSpan.FromSeconds(15));
            TestOutput.WriteLine($"down-dead-peers = {downDeadPeers}: {survivor.Name} saw C unreachable {unreachable * 1000:F0} ms after kill -9");
            Assert.True(unreachable <= UnreachableBound.TotalSeconds, $"{survivor.Name} saw C unreachable after {unreachable:F2} s, bound {UnreachableBound.TotalSeconds} s");
        }
        if (downDeadPeers == "on")
        {
            foreach (var survivor in new[] { a, b })
            {
                var removed = await SecondsAfterAsync(survivor, "MEMBER-REMOVED", c, killedAt, TimeSpan.FromSeconds(40));
                TestOutput.WriteLine($"down-dead-peers = on: {survivor.Name} saw C removed {removed * 1000:F0} ms after kill -9");
                Assert.True(removed <= RemovedBound.TotalSeconds, $"{survivor.Name} saw C removed after {removed:F2} s, bound {RemovedBound.TotalSeconds} s");
            }
        }
        else
        {
            var left = RemovedBound - Stopwatch.GetElapsedTime(killedAt);
            if (left > TimeSpan.Zero)
                await Task.Delay(left);
            foreach (var survivor in new[] { a, b })
                Assert.DoesNotContain(survivor.Node.OutputLines, l => l.StartsWith($"MEMBER-REMOVED {c.Id} ", StringComparison.Ordinal)
                    || l.StartsWith($"MEMBER-DOWNED {c.Id} ", StringComparison.Ordinal));
            TestOutput.WriteLine($"down-dead-peers = off: C not downed nor removed {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after kill -9");
        }
        c.Node.Kill();

        // The next incarnation on the same port: rejoins, and nothing of its predecessor's death touches it.
        var c2 = await StartMemberAsync("C2", a.Address, downDeadPeers, port: c.Port);
        Assert.Equal(c.Address, c2.Address);
        Assert.NotEqual(c.Uid, c2.Uid);
        foreach (var observer in new[] { a, b, c2 })
            await observer.Node.WaitForLineAsync(l => l.StartsWith($"MEMBER-UP {c2.Id} ", StringComparison.Ordinal), Timeout);
        TestOutput.WriteLine($"down-dead-peers = {downDeadPeers}: C restarted on port {c2.Port} (uid {c2.Uid}) is Up on A, B and itself {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:F1} s after the kill");
        await Task.Delay(StaysUp);
        foreach (var observer in new[] { a, b, c2 })
            Assert.DoesNotContain(observer.Node.OutputLines, l => !l.StartsWith("MEMBER-UP", StringComparison.Ordinal) && l.Contains($" {c2.Id} ", StringComparison.Ordinal));

        foreach (var member in new[] { c2, b, a })
            await member.Node.RequestAsync("CLUSTER-LEAVE", "CLUSTER-LEFT", Timeout);
        await ShutdownAndVerifyAsync();
    }

    /// <summary>A member hosted by a new NodeHost: joins <paramref name="seed"/>, or itself when null.</summary>
    private async Task<Member> StartMemberAsync(string name, string? seed, string downDeadPeers, int port = 0)
    {
        var node = await StartNodeAsync(name);
        string answer = await node.RequestAsync($"CLUSTER-START {seed ?? "-"} {downDeadPeers} {port}", "CLUSTER-STARTED", Timeout);
        var parts = answer.Split(' ');
        var member = new Member(name, node, parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
        TestOutput.WriteLine($"member {name}: {member.Address} uid {member.Uid} (pid {node.ProcessId})");
        return member;
    }

    /// <summary>Seconds from <paramref name="since"/> to when <paramref name="observer"/> printed the event for <paramref name="subject"/>.</summary>
    private static async Task<double> SecondsAfterAsync(Member observer, string what, Member subject, long since, TimeSpan timeout)
    {
        string line = await observer.Node.WaitForLineAsync(l => l.StartsWith($"{what} {subject.Id} ", StringComparison.Ordinal), timeout);
        long ticks = long.Parse(line.Split(' ')[3], CultureInfo.InvariantCulture);
        return (ticks - since) / (double)Stopwatch.Frequency;
    }

    private sealed record Member(string Name, NodeProcess Node, string Address, int Uid)
    {
        /// <summary>How event lines name this incarnation: address and uid.</summary>
        public string Id => $"{Address} {Uid}";

        public int Port => new Uri(Address.Replace("akka.ipc://", "ipc://", StringComparison.Ordinal)).Port;
    }
}
