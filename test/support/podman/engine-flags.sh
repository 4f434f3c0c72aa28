#!/usr/bin/env bash
# Prints the podman flags every image build and run of the project's tests uses, for this kind of
# machine (a VM whose root lacks CAP_SYS_RESOURCE, with a hybrid cgroup v1 + v2 hierarchy).
# Line 1: podman's global flags (before the command); line 2: the flags of `build`, `run`, `create`.
#  --runtime runc   crun, podman's default, refuses hybrid hierarchies ("cgroups in hybrid mode not
#                   supported"); runc (Debian's runc) runs on v1, v2 and hybrid alike.
#  --ulimit ...     podman's default limits (nofile 1048576, nproc 4194304) exceed the hard limits
#                   here, and without CAP_SYS_RESOURCE the runtime cannot raise them: the container
#                   fails with "setrlimit ... operation not permitted". Use the machine's hard
#                   limits, capped (nproc above 32768 was refused here although the hard limit is higher).
set -euo pipefail
cap() { local v="$1" max="$2"; if [ "$v" = "unlimited" ] || [ "$v" -gt "$max" ]; then echo "$max"; else echo "$v"; fi; }
nofile="$(cap "$(ulimit -Hn)" 65536)"
nproc="$(cap "$(ulimit -Hu)" 32768)"
echo "--runtime runc"
echo "--ulimit nofile=${nofile}:${nofile} --ulimit nproc=${nproc}:${nproc}"
