# ccache.sh: sourced by test.sh and fuzz.sh. Sets CCACHE_ARGS, the cmake
# arguments that put ccache (install-deps.sh installs it) in front of the
# compilers. Its cache lives outside the clone (ccache's own folder,
# ~/.cache/ccache, or $CCACHE_DIR), so a machine that runs the tests again,
# from any clone, compiles only what changed; a cold run builds exactly
# the same things. MINIPG_CCACHE=0 turns it off.
CCACHE_ARGS=(-DCMAKE_C_COMPILER_LAUNCHER= -DCMAKE_CXX_COMPILER_LAUNCHER=)
if [ "${MINIPG_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  # Paths under the clone are hashed relative to it, so clones in other
  # folders share entries.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR=true
  CCACHE_ARGS=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
