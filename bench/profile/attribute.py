#!/usr/bin/env python3
"""Attributes `perf script -F comm,tid,ip,sym,dso` samples to the code that caused them.

Each sample goes to the innermost managed assembly on its stack that is not part of the .NET runtime libraries
(System.* frames count for their caller, so a memmove is charged to whoever copied). Samples on the transport's own
threads (named ipc-*) are the transport's whatever they run; samples with no managed frame are grouped by thread.
JIT frames only have names when the processes ran with DOTNET_PerfMapEnabled=1 (and DOTNET_EnableWriteXorExecute=0
so perf can match them).
"""
import collections
import re
import sys

ASSEMBLY = re.compile(r'\[([A-Za-z0-9_.]+(?: [A-Za-z]+)*)\] ')
GROUPS = {
    'Akka.Transport.Ipc': 'transport: Akka.Transport.Ipc (on Akka threads: Write)',
    'Akka.Remote': 'Akka.Remote (endpoints, PDU codec, serialization, ref resolution)',
    'Akka': 'Akka core (mailboxes, dispatch, actor cells)',
    'Google.Protobuf': 'Google.Protobuf',
    'DotNetty.Transport': 'transport: DotNetty',
    'DotNetty.Common': 'transport: DotNetty',
    'DotNetty.Codecs': 'transport: DotNetty',
    'DotNetty.Buffers': 'transport: DotNetty',
    'DotNetty.Handlers': 'transport: DotNetty',
    'Akka.Transport.Ipc.Benchmarks': 'benchmark actors',
}


def read_samples(path):
    sample = None
    for line in open(path, errors='replace'):
        if not line.strip():
            if sample:
                yield sample
            sample = None
        elif not line[0].isspace():
            sample = (line.rsplit(' ', 2)[0].strip(), [])
        elif sample:
            sample[1].append(line.strip())
    if sample:
        yield sample


def owner(frames):
    runtime = None
    for frame in frames:
        match = ASSEMBLY.search(frame)
        if not match or '.map)' not in frame:
            continue
        assembly = match.group(1)
        if assembly.startswith(('System', 'Anonymously', 'Microsoft')):
            runtime = runtime or assembly
            continue
        return assembly
    return runtime


def category(thread, frames):
    assembly = owner(frames)
    if thread.startswith('ipc-'):
        return 'transport: Akka.Transport.Ipc threads (ipc-*)'
    if assembly in GROUPS:
        return GROUPS[assembly]
    if assembly and assembly.startswith('System'):
        return '.NET runtime libraries (mostly thread-pool workers spinning for work)'
    if assembly:
        return 'other: ' + assembly
    if thread.startswith('.NET Tiered') or thread.startswith('.NET BGC') or thread.startswith('.NET Finalizer'):
        return '.NET runtime threads (JIT, GC, finalizer)'
    return 'native/kernel with no managed caller (' + thread + ')'


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: attribute.py PERF_SCRIPT_OUTPUT')
    counts = collections.Counter(category(t, f) for t, f in read_samples(sys.argv[1]))
    total = sum(counts.values())
    print(f'{total} samples')
    for name, n in counts.most_common():
        print(f'{100.0 * n / total:6.1f}%  {name}')


if __name__ == '__main__':
    main()
