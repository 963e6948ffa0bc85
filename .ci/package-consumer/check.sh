#!/usr/bin/env bash
# Package-consumer check: pack every shipped project (dotnet cake --target=Pack), then build a fresh console app in a
# temporary directory OUTSIDE the solution that references Akka.Transport.Ipc.Hosting by version from
# artifacts/packages/ (and nothing of the repository), and run two processes of it that exchange messages with
# WithIpcRemoting alone; then an xunit test project outside the solution runs a two-role multi-node spec against the
# Akka.Transport.Ipc.TestKit package. Proves the packages carry their defaults and declare their dependencies, as a
# user gets them.
# Prints "package-consumer check: passed" or "... FAILED: <why>"; exit code 0 only when it passed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

fail() { echo "package-consumer check: FAILED: $*"; exit 1; }

dotnet tool restore >/dev/null || fail "dotnet tool restore"
dotnet cake --target=Pack --verbosity=quiet || fail "dotnet cake --target=Pack"
packages="$repo/artifacts/packages"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || fail "no <Version> in Directory.Build.props"
for id in Akka.Transport.Ipc Akka.Transport.Ipc.Hosting Akka.Transport.Ipc.TestKit; do
  [ -f "$packages/$id.$version.nupkg" ] || fail "$packages/$id.$version.nupkg was not produced"
  [ -f "$packages/$id.$version.snupkg" ] || fail "$packages/$id.$version.snupkg (symbols) was not produced"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/akka-ipc-consumer.XXXXXX")
ipc=$(mktemp -d /dev/shm/akka-ipc-consumer.XXXXXX)
trap 'rm -rf "$work" "$ipc"' EXIT

# Package sources: only the local folder for our packages; for everything else (Akka, Microsoft.Extensions.*) the
# machine's own enabled sources, read from its NuGet configuration at run time (none is written into the repository).
# A private global packages folder, so nothing comes from an earlier extraction of the same version.
mapfile -t upstream < <(cd "$work" && dotnet nuget list source --format short | awk '$1 ~ /^E/ {print $2}')
[ "${#upstream[@]}" -gt 0 ] || fail "the machine has no enabled NuGet source for the packages' dependencies"
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo "  <config><add key=\"globalPackagesFolder\" value=\"$work/global-packages\" /></config>"
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"local\" value=\"$packages\" />"
  for i in "${!upstream[@]}"; do echo "    <add key=\"upstream$i\" value=\"${upstream[$i]}\" />"; done
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="local"><package pattern="Akka.Transport.Ipc" /><package pattern="Akka.Transport.Ipc.*" /></packageSource>'
  for i in "${!upstream[@]}"; do echo "    <packageSource key=\"upstream$i\"><package pattern=\"*\" /></packageSource>"; done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$work/NuGet.config"

cat > "$work/Consumer.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Akka.Transport.Ipc.Hosting" Version="$version" />
    <PackageReference Include="Microsoft.Extensions.Hosting" Version="9.0.0" />
  </ItemGroup>
</Project>
CSPROJ
cp .ci/package-consumer/Program.cs "$work/Program.cs"

(cd "$work" && dotnet build -c Release --nologo -v quiet) || fail "the consumer app does not restore or build against the packages"
for id in akka.transport.ipc akka.transport.ipc.hosting; do
  meta="$work/global-packages/$id/$version/.nupkg.metadata"
  grep -q "\"source\": \"$packages\"" "$meta" 2>/dev/null || fail "$id $version was not restored from $packages"
done

# Two processes of it talk (ping starts pong itself); bounded, so a hang fails instead of stalling CI.
timeout 120 dotnet "$work/bin/Release/net10.0/Consumer.dll" "$ipc" || fail "the two consumer processes did not exchange every message"
leftovers=$(ls -A "$ipc")
[ -z "$leftovers" ] || fail "the consumer processes left files in their IPC directory: $leftovers"

# The multi-node kit as a user gets it: an xunit 2 test project referencing Akka.Transport.Ipc.TestKit by version runs
# a two-role spec with plain `dotnet test` (each role a process running the kit's assembly from the package).
mkdir -p "$work/specs"
cat > "$work/specs/Specs.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <IsPackable>false</IsPackable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Akka.Transport.Ipc.TestKit" Version="$version" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="17.14.1" />
    <PackageReference Include="xunit" Version="2.9.3" />
    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.4" />
  </ItemGroup>
</Project>
CSPROJ
cp .ci/package-consumer/KitSpec.cs "$work/specs/KitSpec.cs"
spec_log="$work/specs/test.log"
timeout 300 dotnet test "$work/specs/Specs.csproj" -c Release --nologo > "$spec_log" 2>&1 \
  || { tail -n 40 "$spec_log"; fail "the multi-node spec built against Akka.Transport.Ipc.TestKit did not pass"; }
grep -qE 'Passed: +1\b' "$spec_log" || { tail -n 20 "$spec_log"; fail "the multi-node spec did not run"; }
pgrep -f "$work/specs/bin/" >/dev/null && fail "a role of the consumer's multi-node spec is still running"

echo "package-consumer check: passed"
