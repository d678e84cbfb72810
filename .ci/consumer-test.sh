#!/usr/bin/env bash
# The consumer test: NetGen as a user gets it. Packs the runtime (with the generator inside) into a temporary folder,
# copies tests/Consumer (a .csproj and a Program.cs) into a new project outside the repository, restores NetGen from
# that folder alone, and builds and runs the program on net8.0, net9.0 and net10.0 (self-contained, so each runs on
# its own runtime, whichever shared runtimes the machine has); then publishes it with NativeAOT for each, runs the
# binaries, and checks that a consumer who sets nothing gets the 256-bit kernels (the package's IlcInstructionSet
# default) and that NetGenDefaultInstructionSet=false gives the .NET default back. Prints the binary sizes and the
# start-up times (median of 5 runs) that README.md quotes.
#
#   .ci/consumer-test.sh              # everything (3 to 6 minutes on 2 cores with a warm package cache)
#   NETGEN_CONSUMER_AOT=0 .ci/consumer-test.sh   # without the NativeAOT part
#   NETGEN_CONSUMER_KEEP=1 ...        # keep the temporary folder and print its path
#
# Restore: NetGen comes only from the packed folder (packageSourceMapping); everything else (the runtime packs, the
# ILCompiler packages, System.Numerics.Tensors) from NuGet's usual source, NUGET_SOURCE if set, else nuget.org (the
# copy this machine's registry serves). The consumer's packages folder is new each run, so no NetGen from an earlier
# run is taken; the machine's package cache (NUGET_PACKAGES, else ~/.nuget/packages) is a read-only fallback, so
# what is there already is not fetched again.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source_url="${NUGET_SOURCE:-https://api.nuget.org/v3/index.json}"
machine_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
unset NUGET_PACKAGES # the consumer's nuget.config names its own packages folder
frameworks=(net8.0 net9.0 net10.0)
rid=linux-x64
if [ "$(uname -m)" != x86_64 ]; then
  echo "consumer test: this script publishes for linux-x64 and checks the x64 instruction-set default; $(uname -m) is not x64" >&2
  exit 1
fi

work="$(mktemp -d)"
if [ "${NETGEN_CONSUMER_KEEP:-0}" = 1 ]; then
  echo "consumer test: keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi
started=$SECONDS

fail() {
  echo "consumer test FAILED: $*" >&2
  exit 1
}

# expect FILE TEXT: the program's output holds the line TEXT.
expect() {
  grep -qxF -- "$2" "$1" || { cat "$1" >&2; fail "expected the line '$2' in $1"; }
}

# check_run OUTPUT MODE BITS: the lines every run must print. BITS empty: any width.
check_run() {
  local out="$1" mode="$2" bits="$3" line loss
  expect "$out" "parameters 42"
  expect "$out" "predictions 0 1 1 0"
  line="$(head -n 1 "$out")"
  case "$line" in
    "runtime .NET ${tfm#net}."*", $mode, vector bits ${bits:-}"*) ;;
    *) fail "first line of $out is '$line'; expected .NET ${tfm#net}, $mode${bits:+, vector bits $bits}" ;;
  esac
  # The training loss after 300 epochs on the four XOR points: below 0.05 on every vector path.
  loss="$(sed -n 's/^loss after 1 epoch [0-9.]*, after 300 \([0-9.]*\)$/\1/p' "$out")"
  [ -n "$loss" ] || fail "no loss line in $out"
  awk -v l="$loss" 'BEGIN { exit !(l < 0.05) }' || fail "final loss $loss is not below 0.05 ($out)"
}

# median_ms BINARY...: the median wall time of 5 runs, in milliseconds (run in $work/run).
median_ms() {
  local times=() i t0 t1
  for i in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

echo "== consumer test: pack NetGen"
feed="$work/feed"
dotnet pack "$repo/runtime" -c Release -o "$feed" >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "dotnet pack"; }
if grep -qiE "warning|missing a readme" "$work/pack.log"; then
  cat "$work/pack.log"
  fail "dotnet pack printed a warning"
fi
nupkg="$(ls "$feed"/NetGen.*.nupkg)"
version="$(basename "$nupkg" .nupkg)"
version="${version#NetGen.}"
echo "packed $(basename "$nupkg")"
unzip -Z1 "$nupkg" >"$work/contents.txt"
for entry in analyzers/dotnet/cs/NetGen.Generator.dll lib/net8.0/NetGen.dll lib/net8.0/NetGen.xml README.md LICENSE \
  build/NetGen.targets buildTransitive/NetGen.targets; do
  grep -qxF "$entry" "$work/contents.txt" || fail "the package lacks $entry"
done
unzip -p "$nupkg" NetGen.nuspec >"$work/nuspec.xml"
for field in '<license type="expression">MIT</license>' '<readme>README.md</readme>' \
  '<projectUrl>https://github.com/netgen/netgen</projectUrl>' '<repository type="git" url="https://github.com/netgen/netgen"' '<tags>'; do
  grep -qF "$field" "$work/nuspec.xml" || fail "the nuspec lacks $field"
done

echo "== consumer test: a new project outside the repository"
app="$work/app"
mkdir -p "$app" "$work/packages" "$work/run"
cp "$repo/tests/Consumer/Consumer.csproj" "$repo/tests/Consumer/Program.cs" "$app/"
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <packageSources>
    <clear />
    <add key="netgen-local" value="$feed" />
    <add key="upstream" value="$source_url" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="netgen-local">
      <package pattern="NetGen" />
    </packageSource>
    <packageSource key="upstream">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders>
    <clear />
    <add key="machine" value="$machine_cache" />
  </fallbackPackageFolders>
</configuration>
EOF
if [ -d "$machine_cache/netgen/$version" ]; then
  fail "$machine_cache/netgen/$version exists and would be taken instead of the package just packed; delete it"
fi
props=(-p:NetGenVersion="$version")

# The restored NetGen is the package just packed: same SHA-512 as the file in the feed.
check_restored() {
  local want got
  want="$(openssl dgst -sha512 -binary "$nupkg" | base64 -w0)"
  got="$(sed -n '/"NetGen\/'"$version"'": {/,/}/s/.*"sha512": "\([^"]*\)".*/\1/p' "$app/obj/project.assets.json" | head -n 1)"
  [ "$want" = "$got" ] || fail "restored NetGen's SHA-512 is '$got', the packed one's '$want'"
  [ -f "$work/packages/netgen/$version/netgen.$version.nupkg" ] || fail "NetGen was not restored into the consumer's own folder"
}

for tfm in "${frameworks[@]}"; do
  echo "== consumer test: $tfm, JIT (self-contained)"
  out="$work/jit-$tfm"
  dotnet publish "$app" -c Release -f "$tfm" -r "$rid" --self-contained -o "$out" "${props[@]}" \
    >"$work/publish-$tfm.log" 2>&1 || { cat "$work/publish-$tfm.log"; fail "publish $tfm"; }
  check_restored
  (cd "$work/run" && "$out/Consumer") >"$work/run-$tfm.txt" || { cat "$work/run-$tfm.txt"; fail "run $tfm"; }
  cat "$work/run-$tfm.txt"
  check_run "$work/run-$tfm.txt" JIT ""
done

# generator/GeneratorInfo.cs stamps a version on generated code (GeneratedCode on the convolution scratch class); it
# must say the version Directory.Build.props gives the package (its VersionPrefix).
grep -qF "public const string Version = \"${version%%-*}\";" "$repo/generator/GeneratorInfo.cs" \
  || fail "generator/GeneratorInfo.cs's Version is not the package's $version (Directory.Build.props VersionPrefix)"

echo "== consumer test: the package's IlcInstructionSet default, as MSBuild evaluates it"
# check_instruction_set WANT ARGS...: the consumer's IlcInstructionSet under ARGS ('' = none: the .NET default).
check_instruction_set() {
  local want="$1" got
  shift
  got="$(dotnet msbuild "$app/Consumer.csproj" -getProperty:IlcInstructionSet "${props[@]}" "$@")"
  [ "$got" = "$want" ] || fail "IlcInstructionSet is '$got' under $*; expected '$want'"
  echo "  $* -> ${want:-(none)}"
}
check_instruction_set x86-x64-v3 -p:TargetFramework=net8.0 -p:PublishAot=true -p:RuntimeIdentifier=linux-x64
check_instruction_set x86-x64-v3 -p:TargetFramework=net9.0 -p:PublishAot=true -p:RuntimeIdentifier=linux-x64
check_instruction_set x86-64-v3 -p:TargetFramework=net10.0 -p:PublishAot=true -p:RuntimeIdentifier=linux-x64
check_instruction_set x86-64-v3 -p:TargetFramework=net10.0 -p:PublishAot=true -p:RuntimeIdentifier=win-x64
check_instruction_set x86-64-v3 -p:TargetFramework=net10.0 -p:PublishAot=true
check_instruction_set "" -p:TargetFramework=net10.0 -p:PublishAot=true -p:RuntimeIdentifier=linux-arm64
check_instruction_set "" -p:TargetFramework=net10.0 -p:RuntimeIdentifier=linux-x64
check_instruction_set native -p:TargetFramework=net10.0 -p:PublishAot=true -p:IlcInstructionSet=native
check_instruction_set "" -p:TargetFramework=net10.0 -p:PublishAot=true -p:NetGenDefaultInstructionSet=false

sizes=()
if [ "${NETGEN_CONSUMER_AOT:-1}" != 0 ]; then
  for tfm in "${frameworks[@]}"; do
    echo "== consumer test: $tfm, NativeAOT, nothing set (the package's default)"
    case "$tfm" in net8.0 | net9.0) spelling=x86-x64-v3 ;; *) spelling=x86-64-v3 ;; esac
    out="$work/aot-$tfm"
    dotnet publish "$app" -c Release -f "$tfm" -r "$rid" -p:PublishAot=true -o "$out" "${props[@]}" \
      >"$work/aot-$tfm.log" 2>&1 || { cat "$work/aot-$tfm.log"; fail "NativeAOT publish $tfm"; }
    if grep -qi "warning" "$work/aot-$tfm.log"; then cat "$work/aot-$tfm.log"; fail "the NativeAOT publish for $tfm printed a warning"; fi
    grep -qF "NetGen: NativeAOT for $spelling" "$work/aot-$tfm.log" || { cat "$work/aot-$tfm.log"; fail "no NetGen instruction-set message ($spelling) in the $tfm publish"; }
    grep -q -- "--instruction-set:$spelling" "$app"/obj/Release/"$tfm"/"$rid"/native/*.ilc.rsp \
      || fail "ILC's response file for $tfm does not pass --instruction-set:$spelling"
    (cd "$work/run" && "$out/Consumer") >"$work/aot-run-$tfm.txt" || { cat "$work/aot-run-$tfm.txt"; fail "run NativeAOT $tfm"; }
    cat "$work/aot-run-$tfm.txt"
    check_run "$work/aot-run-$tfm.txt" NativeAOT 256
    size=$(stat -c %s "$out/Consumer")
    aot_ms=$(cd "$work/run" && median_ms "$out/Consumer")
    jit_ms=$(cd "$work/run" && median_ms "$work/jit-$tfm/Consumer")
    sizes+=("$tfm: NativeAOT binary $size bytes ($((size / 1024)) KiB), whole run $aot_ms ms median of 5 (JIT self-contained: $jit_ms ms)")
  done

  echo "== consumer test: net10.0, NativeAOT with NetGenDefaultInstructionSet=false (the .NET default baseline)"
  tfm=net10.0
  out="$work/aot-optout"
  dotnet publish "$app" -c Release -f "$tfm" -r "$rid" -p:PublishAot=true -p:NetGenDefaultInstructionSet=false -o "$out" "${props[@]}" \
    >"$work/aot-optout.log" 2>&1 || { cat "$work/aot-optout.log"; fail "NativeAOT publish with the opt-out"; }
  if grep -qF "NetGen: NativeAOT for" "$work/aot-optout.log"; then fail "the opt-out still set the instruction set"; fi
  if grep -q -- "--instruction-set" "$app"/obj/Release/"$tfm"/"$rid"/native/*.ilc.rsp; then fail "the opt-out still passed --instruction-set to ILC"; fi
  (cd "$work/run" && "$out/Consumer") >"$work/aot-run-optout.txt" || { cat "$work/aot-run-optout.txt"; fail "run the opt-out binary"; }
  cat "$work/aot-run-optout.txt"
  check_run "$work/aot-run-optout.txt" NativeAOT 128

  # What the default costs, on a processor without AVX2: the binary stops at start-up with .NET's message; the
  # opted-out one runs. qemu-user emulates such a processor; as root with apt-get, the script installs it.
  if ! command -v qemu-x86_64 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== consumer test: installing Debian's qemu-user"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user; }; } >"$work/apt.log" 2>&1; then
      tail -n 3 "$work/apt.log"
      echo "could not install qemu-user; going on without it"
    fi
  fi
  if command -v qemu-x86_64 >/dev/null 2>&1; then
    echo "== consumer test: both net10.0 binaries on an emulated processor without AVX (qemu-x86_64 -cpu Nehalem)"
    tfm=net10.0
    # Through sh, whose own report of the abort goes to the file, not to this script's output.
    if sh -c 'cd "$1" && qemu-x86_64 -cpu Nehalem "$2"; exit $?' sh "$work/run" "$work/aot-$tfm/Consumer" >"$work/nehalem-default.txt" 2>&1; then
      cat "$work/nehalem-default.txt"
      fail "the x86-64-v3 binary ran on a processor without AVX2"
    fi
    grep -qF "The required instruction sets are not supported by the current CPU." "$work/nehalem-default.txt" \
      || { cat "$work/nehalem-default.txt"; fail "the x86-64-v3 binary did not stop with .NET's instruction-set message"; }
    echo "default binary: $(grep -F "required instruction sets" "$work/nehalem-default.txt")"
    (cd "$work/run" && qemu-x86_64 -cpu Nehalem "$out/Consumer") >"$work/nehalem-optout.txt" \
      || { cat "$work/nehalem-optout.txt"; fail "the opted-out binary did not run on Nehalem"; }
    check_run "$work/nehalem-optout.txt" NativeAOT 128
    echo "opted-out binary: $(head -n 1 "$work/nehalem-optout.txt"); $(grep predictions "$work/nehalem-optout.txt")"
  else
    echo "== consumer test: no qemu-x86_64 (Debian's qemu-user), so the binaries are not tried on a processor without AVX2"
  fi
fi

if [ "${NETGEN_CONSUMER_AOT:-1}" != 0 ]; then
  # The repository's samples take the same default from the same file (they reference the runtime as a project, so
  # no package build files reach them): the MNIST sample's NativeAOT publish on net10.0, run for one epoch.
  echo "== consumer test: samples/Mnist, NativeAOT on net10.0"
  dotnet publish "$repo/samples/Mnist" -c Release -f net10.0 -p:PublishAot=true -o "$work/mnist-aot" \
    >"$work/mnist-aot.log" 2>&1 || { cat "$work/mnist-aot.log"; fail "NativeAOT publish of samples/Mnist"; }
  grep -qF "NetGen: NativeAOT for x86-64-v3" "$work/mnist-aot.log" || { cat "$work/mnist-aot.log"; fail "samples/Mnist did not get x86-64-v3"; }
  (cd "$work/run" && "$work/mnist-aot/Mnist" --epochs 1 --weights "$work/run/mnist.safetensors") >"$work/mnist-aot.txt" \
    || { cat "$work/mnist-aot.txt"; fail "run the MNIST sample's NativeAOT binary"; }
  grep -E "^Test accuracy|reloaded: bit-identical" "$work/mnist-aot.txt"
  grep -q "reloaded: bit-identical" "$work/mnist-aot.txt" || fail "the MNIST sample's NativeAOT binary did not reload its weights"
  sizes+=("samples/Mnist net10.0: NativeAOT binary $(stat -c %s "$work/mnist-aot/Mnist") bytes")
fi

echo "== consumer test passed in $((SECONDS - started)) s (NetGen $version; ${frameworks[*]})"
for line in "${sizes[@]}"; do echo "$line"; done
echo "(load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg); the machine has $(nproc) cores)"
