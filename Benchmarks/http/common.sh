# Shared by the HTTP harnesses; sourced from the repository's root.
# Sets `binary` (PERMANENCE_BINARY, or a release build made here) and checks that wrk is installed.
binary=${PERMANENCE_BINARY:-}
if [ -z "$binary" ]; then
  swift build -c release --product permanence
  binary=.build/release/permanence
fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
