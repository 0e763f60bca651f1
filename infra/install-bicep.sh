#!/usr/bin/env bash
# Restores the Bicep CLI from NuGet (package Azure.Bicep.CommandLine.linux-x64, which carries the native
# `bicep` binary) into a cache directory and prints the binary's path. NuGet is the registry this project
# reaches; the package needs no .NET runtime to run, only `dotnet` to restore it (a throwaway project with a
# PackageDownload item: nothing is built).
#
#   infra/install-bicep.sh            → prints e.g. ~/.cache/pgflex-bicep/packages/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep
#   BICEP_VERSION=0.48.1 BICEP_CACHE=/tmp/bicep infra/install-bicep.sh
set -euo pipefail

version="${BICEP_VERSION:-0.49.2}"
cache="${BICEP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgflex-bicep}"
package="Azure.Bicep.CommandLine.linux-x64"
lower="$(echo "$package" | tr '[:upper:]' '[:lower:]')"
bin="$cache/packages/$lower/$version/tools/bicep"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-bicep: this script restores the linux-x64 Bicep CLI; on $(uname -s)-$(uname -m) install Bicep with 'az bicep install'" >&2
  exit 1
fi

if [ ! -x "$bin" ]; then
  if ! command -v dotnet >/dev/null; then
    echo "install-bicep: dotnet is needed to restore $package from NuGet (or put a bicep binary at $bin)" >&2
    exit 1
  fi
  sdk="$(dotnet --version)"
  tfm="net${sdk%%.*}.0"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/restore-bicep.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>$tfm</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package" Version="[$version]" />
  </ItemGroup>
</Project>
XML
  mkdir -p "$cache/packages"
  if ! dotnet restore "$work/restore-bicep.csproj" --packages "$cache/packages" >"$work/restore.log" 2>&1; then
    cat "$work/restore.log" >&2
    echo "install-bicep: could not restore $package $version from NuGet" >&2
    exit 1
  fi
  if [ ! -f "$bin" ]; then
    echo "install-bicep: $package $version restored, but $bin is not there:" >&2
    find "$cache/packages/$lower/$version" -maxdepth 2 >&2 || true
    exit 1
  fi
  chmod +x "$bin"
fi
"$bin" --version >/dev/null
echo "$bin"
