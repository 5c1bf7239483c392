/*
 * ironrun-init: PID 1 of the namespaces @ironrun/sandbox creates (see
 * src/namespace-init.ts for the Node init it replaces on the hot path; both
 * speak the same report protocol).
 *
 * Started as `ironrun-init --namespaces [--user] [--net]`, with descriptor 3
 * the report channel (a socket pair to the sandbox). In the caller's
 * namespaces it first does what `unshare --user --map-root-user --pid --fork
 * --kill-child --mount-proc --ipc --uts [--net]` did (see enter_namespaces;
 * one dynamically linked program less to load on every run); then, as PID 1
 * of the new PID namespace, it:
 *   - makes itself non-dumpable and sets no_new_privs, so nothing it starts
 *     can ptrace it, read its memory or take its descriptors;
 *   - keeps the channel close-on-exec and closes every other descriptor above 2;
 *   - reads the program's configuration from the channel (a length-prefixed
 *     block of NUL-terminated strings, never argv);
 *   - brings `lo` up in a fresh network namespace;
 *   - copies each verified file (the program, a shell's script) the sandbox
 *     sends with the configuration into a memfd, sealed against any change,
 *     so what runs is the content the sandbox checked against the trust
 *     record, never what the path holds later;
 *   - where Landlock confines exec, refuses executable memfds (seccomp);
 *   - forks the program: own session, rlimits (core dumps off), a nested user
 *     namespace where it is not uid 0 (the caller's uid, or 65534 for root),
 *     Landlock, a seccomp filter (see apply_seccomp), then execve
 *     (execveat of its memfd for a verified program; sh, dash and bash
 *     source a verified script as `-c '. /dev/fd/N' <path> args...`, which
 *     keeps `$0`; another shell's script argument becomes /dev/fd/N);
 *   - reports `started`, a spawn `error` or the program's `exit` as JSON lines
 *     and exits with the same status (code, or 128 + signal number);
 *   - forwards SIGTERM/SIGINT/SIGHUP to every process of the namespace, and
 *     kills everything if the channel closes (the sandbox died).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
/* The kernel's numbers as well: musl's list stops at its release (quotactl_fd came later). A
   number both define must be the same, or the build fails (-Werror). */
#include <asm/unistd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stddef.h>

#define CHANNEL 3
#define MAX_CONFIG (16 * 1024 * 1024)
/* Not an errno: what the program's start reports when the seccomp filter cannot be installed. */
#define NO_SECCOMP 0x7ffe5ecc

static void report(const char *line) {
  size_t length = strlen(line), done = 0;
  while (done < length) {
    ssize_t n = write(CHANNEL, line + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += (size_t)n;
  }
}

static const char *errno_name(int error) {
  switch (error) {
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case ENOEXEC: return "ENOEXEC";
  case EPERM: return "EPERM";
  case ENOTDIR: return "ENOTDIR";
  case ELOOP: return "ELOOP";
  case E2BIG: return "E2BIG";
  case ENOMEM: return "ENOMEM";
  case EAGAIN: return "EAGAIN";
  case ETXTBSY: return "ETXTBSY";
  case EISDIR: return "EISDIR";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case EINVAL: return "EINVAL";
  case ENOSPC: return "ENOSPC";
  case EUSERS: return "EUSERS";
  case EMFILE: return "EMFILE";
  case NO_SECCOMP: return "ENOSECCOMP";
  default: return "UNKNOWN";
  }
}

/* Reports that the program could not be started, and why (`error`: an errno or NO_SECCOMP). */
static void report_error(int error) {
  char line[96];
  snprintf(line, sizeof line, "{\"type\":\"error\",\"code\":\"%s\"}\n", errno_name(error));
  report(line);
}

static const char *signal_name(int signo) {
  static const char *names[] = {
      NULL,       "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT",
      "SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV",   "SIGUSR2", "SIGPIPE",
      "SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",
      "SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ",   "SIGVTALRM", "SIGPROF",
      "SIGWINCH", "SIGIO",   "SIGPWR",    "SIGSYS"};
  if (signo > 0 && signo < (int)(sizeof names / sizeof names[0])) return names[signo];
  return NULL;
}

static int read_full(int fd, void *buffer, size_t length) {
  size_t done = 0;
  while (done < length) {
    ssize_t n = read(fd, (char *)buffer + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    done += (size_t)n;
  }
  return 0;
}

/* Writes all `length` bytes; -1 with errno set (EIO where a write took none). */
static int write_full(int fd, const void *bytes, size_t length) {
  size_t done = 0;
  while (done < length) {
    ssize_t n = write(fd, (const char *)bytes + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return -1;
    }
    done += (size_t)n;
  }
  return 0;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct ifreq request;
  memset(&request, 0, sizeof request);
  strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &request) == 0) {
    request.ifr_flags |= IFF_UP | IFF_RUNNING;
    ioctl(fd, SIOCSIFFLAGS, &request);
  }
  close(fd);
}

/* The configuration: "IRI1" u32 length, then NUL-terminated strings:
 * file, cwd, uid inside, loopback (0|1), 8 limits (soft=hard, "-" = leave),
 * argc, argv..., envc, env..., then the Landlock part: mode (0|1|2),
 * execc, exec paths..., writec, write paths..., the folder to mount the
 * program's private temporary directory on ("" for none), then the verified files:
 * count, and for each its argv index (0: the program itself), its length
 * and that many raw bytes (the content the sandbox checked). */
#define MAX_VERIFIED 16

struct verified {
  unsigned long index;
  size_t length;
  const char *bytes;
  int fd;
};

struct config {
  char *file, *cwd;
  unsigned long uid;
  int loopback;
  char *limits[8];
  char **argv, **envp;
  /* Landlock: 0 off, 1 required (strict), 2 best-effort; the files that may be
   * executed and the paths under which writing is allowed. */
  int landlock;
  char **exec_paths, **write_paths;
  /* Where PID 1 mounts an empty tmpfs, the program's TMPDIR, or "" (see mount_tmpdir). */
  char *tmpdir;
  unsigned long verified_count;
  struct verified verified[MAX_VERIFIED];
  /* The memfd the program is executed from (execveat), or -1: execve by path. */
  int program_fd;
};

static char *next_string(char **cursor, char *end) {
  char *start = *cursor;
  char *nul = memchr(start, '\0', (size_t)(end - start));
  if (nul == NULL) return NULL;
  *cursor = nul + 1;
  return start;
}

static int parse_count(const char *text, unsigned long max, unsigned long *out) {
  char *rest;
  errno = 0;
  unsigned long value = strtoul(text, &rest, 10);
  if (errno != 0 || *text == '\0' || *rest != '\0' || value > max) return -1;
  *out = value;
  return 0;
}

static int read_config(struct config *config) {
  char header[8];
  if (read_full(CHANNEL, header, sizeof header) < 0 || memcmp(header, "IRI1", 4) != 0) return -1;
  uint32_t length;
  memcpy(&length, header + 4, 4);
  if (length == 0 || length > MAX_CONFIG) return -1;
  char *block = malloc(length);
  if (block == NULL || read_full(CHANNEL, block, length) < 0) return -1;
  char *cursor = block, *end = block + length, *text;
  unsigned long count;
  if ((config->file = next_string(&cursor, end)) == NULL) return -1;
  if ((config->cwd = next_string(&cursor, end)) == NULL) return -1;
  if ((text = next_string(&cursor, end)) == NULL || parse_count(text, 0xfffffffeUL, &config->uid) < 0)
    return -1;
  if ((text = next_string(&cursor, end)) == NULL) return -1;
  config->loopback = strcmp(text, "1") == 0;
  for (int i = 0; i < 8; i++)
    if ((config->limits[i] = next_string(&cursor, end)) == NULL) return -1;
  for (int list = 0; list < 2; list++) {
    if ((text = next_string(&cursor, end)) == NULL || parse_count(text, 1u << 20, &count) < 0) return -1;
    char **items = calloc(count + 1, sizeof(char *));
    if (items == NULL) return -1;
    for (unsigned long i = 0; i < count; i++)
      if ((items[i] = next_string(&cursor, end)) == NULL) return -1;
    if (list == 0) config->argv = items;
    else config->envp = items;
  }
  if ((text = next_string(&cursor, end)) == NULL || parse_count(text, 2, &count) < 0) return -1;
  config->landlock = (int)count;
  for (int list = 0; list < 2; list++) {
    if ((text = next_string(&cursor, end)) == NULL || parse_count(text, 4096, &count) < 0) return -1;
    char **items = calloc(count + 1, sizeof(char *));
    if (items == NULL) return -1;
    for (unsigned long i = 0; i < count; i++)
      if ((items[i] = next_string(&cursor, end)) == NULL || items[i][0] != '/') return -1;
    if (list == 0) config->exec_paths = items;
    else config->write_paths = items;
  }
  if ((config->tmpdir = next_string(&cursor, end)) == NULL ||
      (config->tmpdir[0] != '\0' && config->tmpdir[0] != '/'))
    return -1;
  unsigned long argc = 0;
  while (config->argv[argc] != NULL) argc++;
  if ((text = next_string(&cursor, end)) == NULL ||
      parse_count(text, MAX_VERIFIED, &config->verified_count) < 0)
    return -1;
  for (unsigned long i = 0; i < config->verified_count; i++) {
    struct verified *file = &config->verified[i];
    if ((text = next_string(&cursor, end)) == NULL || parse_count(text, argc - 1, &file->index) < 0)
      return -1;
    for (unsigned long j = 0; j < i; j++)
      if (config->verified[j].index == file->index) return -1;
    if ((text = next_string(&cursor, end)) == NULL || parse_count(text, MAX_CONFIG, &count) < 0 ||
        count > (unsigned long)(end - cursor))
      return -1;
    file->length = count;
    file->bytes = cursor;
    file->fd = -1;
    cursor += count;
  }
  return config->argv[0] == NULL || cursor != end ? -1 : 0;
}

static void close_range_from(unsigned int first, unsigned int last) {
  if (first > last) return;
  if (syscall(SYS_close_range, first, last, 0) < 0)
    for (unsigned int fd = first; fd <= last && fd < 65536; fd++) close((int)fd);
}

/* Closes every descriptor from `first` on, except the `count` in `keep` (any order, -1 ignored). */
static void close_except(int first, const int *keep, int count) {
  unsigned int next = (unsigned int)first;
  for (;;) {
    /* The lowest kept descriptor at or above `next`. */
    int lowest = -1;
    for (int i = 0; i < count; i++)
      if (keep[i] >= 0 && (unsigned int)keep[i] >= next && (lowest < 0 || keep[i] < lowest))
        lowest = keep[i];
    if (lowest < 0) break;
    if ((unsigned int)lowest > next) close_range_from(next, (unsigned int)lowest - 1);
    next = (unsigned int)lowest + 1;
  }
  close_range_from(next, ~0U);
}

static void close_from(int first, int keep) { close_except(first, &keep, 1); }

/* memfd flags and seals newer than Debian's headers; the kernel ABI is fixed. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/*
 * A memfd holding `length` bytes, sealed so that nothing (the program, a
 * descendant, or a process outside that reopens it through /proc) can write,
 * grow, shrink it or change its mode again. Not close-on-exec: the kernel
 * needs /dev/fd/N to start a #! script from it, and a shell reads its script
 * through /dev/fd/N. Returns -1 with errno set.
 */
static int sealed_copy(const char *bytes, size_t length, const char *path) {
  /* Named after the file it copies, as /proc/<pid>/fd and lsof show it ("memfd:ironrun-verified:x.sh"). */
  char name[200];
  const char *slash = strrchr(path, '/');
  snprintf(name, sizeof name, "ironrun-verified:%s", slash == NULL ? path : slash + 1);
  int fd = (int)syscall(SYS_memfd_create, name, MFD_ALLOW_SEALING | MFD_EXEC);
  /* Before Linux 6.3 MFD_EXEC is unknown (EINVAL) and every memfd is executable. */
  if (fd < 0 && errno == EINVAL) fd = (int)syscall(SYS_memfd_create, name, MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  if (write_full(fd, bytes, length) < 0) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  /* Readable and executable by the program only (it runs as another uid than the init's 0). */
  int seals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
  if (fchmod(fd, 0555) < 0 ||
      (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 &&
       (errno != EINVAL || fcntl(fd, F_ADD_SEALS, seals) < 0))) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

/*
 * Shells known to keep `$0` and the positional parameters when they source a
 * file with `.` from `sh -c '. /dev/fd/N' name args...` (tested: sh, dash,
 * bash). Others (zsh sets `$0` to the sourced file; ksh is untested) keep
 * reading `/dev/fd/N` as their script.
 */
static int keeps_dollar0(const char *program) {
  const char *slash = strrchr(program, '/');
  const char *name = slash == NULL ? program : slash + 1;
  return strcmp(name, "sh") == 0 || strcmp(name, "dash") == 0 || strcmp(name, "bash") == 0;
}

/* The command a shell runs to read its verified script: ". /dev/fd/N". */
static char *source_command(int fd) {
  char *command = malloc(32);
  if (command != NULL) snprintf(command, 32, ". /dev/fd/%d", fd);
  return command;
}

/*
 * `argv` with `count` words inserted before `at` and `drop` words from `at`
 * on left out; NULL when out of memory.
 */
static char **with_words(char **argv, int at, int drop, char **words, int count) {
  int argc = 0;
  while (argv[argc] != NULL) argc++;
  char **out = malloc(sizeof(char *) * (size_t)(argc - drop + count + 1));
  if (out == NULL) return NULL;
  int n = 0;
  for (int i = 0; i < at; i++) out[n++] = argv[i];
  for (int i = 0; i < count; i++) out[n++] = words[i];
  for (int i = at + drop; i < argc; i++) out[n++] = argv[i];
  out[n] = NULL;
  return out;
}

/* A shell option word a `#!` line may carry and keep `$0`: `-e`, `-eu`, `+x` (not c, s or i). */
static int plain_option(const char *word) {
  if ((word[0] != '-' && word[0] != '+') || word[1] == '\0') return 0;
  for (const char *c = word + 1; *c != '\0'; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) || *c == 'c' || *c == 's' || *c == 'i')
      return 0;
  return 1;
}

/*
 * A verified `#!` script of sh, dash or bash (`#!/bin/sh`, `#!/bin/sh -e`,
 * `#!/usr/bin/env bash`): instead of executing its memfd (where the kernel
 * hands the shell `/dev/fd/N`, its `$0`), the init runs the interpreter as
 * the kernel would, with `-c '. /dev/fd/N' <path> args...`, so `$0` is the
 * path the program was named by and the shell still reads only the sealed
 * copy. Returns 1 when `config` now does that, 0 to keep execveat, -1 when
 * out of memory. Any other `#!` line (another interpreter, `env -S`, long or
 * several options) keeps execveat and `/dev/fd/N`.
 */
static int source_shebang(struct config *config, struct verified *file) {
  if (file->length < 3 || memcmp(file->bytes, "#!", 2) != 0) return 0;
  size_t limit = file->length < 255 ? file->length : 255;
  const char *newline = memchr(file->bytes, '\n', limit);
  if (newline == NULL) return 0;
  size_t length = (size_t)(newline - file->bytes) - 2;
  char line[256];
  memcpy(line, file->bytes + 2, length);
  line[length] = '\0';
  if (memchr(line, '\0', length) != NULL) return 0;
  /* As the kernel splits it: the interpreter, then the rest (trimmed) as one word. */
  char *cursor = line;
  while (*cursor == ' ' || *cursor == '\t') cursor++;
  char *interpreter = cursor;
  while (*cursor != '\0' && *cursor != ' ' && *cursor != '\t') cursor++;
  if (*cursor != '\0') *cursor++ = '\0';
  while (*cursor == ' ' || *cursor == '\t') cursor++;
  char *rest = cursor;
  size_t rest_length = strlen(rest);
  while (rest_length > 0 && (rest[rest_length - 1] == ' ' || rest[rest_length - 1] == '\t' ||
                             rest[rest_length - 1] == '\r'))
    rest[--rest_length] = '\0';
  if (interpreter[0] != '/') return 0;
  const char *slash = strrchr(interpreter, '/');
  int env = strcmp(slash + 1, "env") == 0;
  if (env) {
    /* `#!/usr/bin/env bash`: one word naming a shell, no option. */
    if (rest[0] == '\0' || strpbrk(rest, " \t") != NULL || !keeps_dollar0(rest)) return 0;
  } else {
    if (!keeps_dollar0(interpreter) || (rest[0] != '\0' && !plain_option(rest))) return 0;
  }
  /* The name the script was started by: the path as given, or as PATH found it (as the kernel passes it). */
  char *name = strchr(config->argv[0], '/') != NULL ? config->argv[0] : config->file;
  char *words[5];
  int count = 0;
  if ((words[count++] = strdup(interpreter)) == NULL) return -1;
  if (rest[0] != '\0' && (words[count++] = strdup(rest)) == NULL) return -1;
  words[count++] = "-c";
  if ((words[count++] = source_command(file->fd)) == NULL) return -1;
  words[count++] = name;
  char **argv = with_words(config->argv, 0, 1, words, count);
  if (argv == NULL) return -1;
  config->argv = argv;
  config->file = words[0];
  return 1;
}

/*
 * A shell's verified script operand at `index` (`sh -e ./x.sh a b`): for sh,
 * dash and bash the shell becomes `sh -e -c '. /dev/fd/N' ./x.sh a b`, so
 * `$0` stays the path given and `$1`... the arguments, while the shell reads
 * only the sealed copy; a `--` just before the operand is dropped (after
 * `-c` the command string ends the options). Other shells get `/dev/fd/N`
 * as their script. Returns -1 when out of memory.
 */
static int source_operand(struct config *config, struct verified *file) {
  int at = (int)file->index;
  if (!keeps_dollar0(config->file) && !keeps_dollar0(config->argv[0])) {
    char *fd_path = malloc(32);
    if (fd_path == NULL) return -1;
    snprintf(fd_path, 32, "/dev/fd/%d", file->fd);
    config->argv[at] = fd_path;
    return 0;
  }
  int dashes = at > 1 && strcmp(config->argv[at - 1], "--") == 0;
  char *words[2] = {"-c", source_command(file->fd)};
  if (words[1] == NULL) return -1;
  char **argv = with_words(config->argv, at - dashes, dashes, words, 2);
  if (argv == NULL) return -1;
  config->argv = argv;
  return 0;
}

/* Makes the memfds of the verified files and points the program or its argv at them. */
static int place_verified(struct config *config) {
  config->program_fd = -1;
  /* Every file's copy first: the argv indexes are the configuration's, before any splice. */
  for (unsigned long i = 0; i < config->verified_count; i++) {
    struct verified *file = &config->verified[i];
    const char *path = file->index == 0 ? config->file : config->argv[file->index];
    if ((file->fd = sealed_copy(file->bytes, file->length, path)) < 0) return -1;
  }
  /* A shell's script operand (the sandbox sends at most one) first: its splice keeps argv[0]. */
  int operands = 0;
  for (unsigned long i = 0; i < config->verified_count; i++) {
    if (config->verified[i].index == 0) continue;
    if (operands++ > 0) {
      errno = EINVAL;
      return -1;
    }
    if (source_operand(config, &config->verified[i]) < 0) return -1;
  }
  for (unsigned long i = 0; i < config->verified_count; i++) {
    struct verified *file = &config->verified[i];
    if (file->index != 0) continue;
    /* An ELF program needs no /dev/fd/N once it runs: keep it from the program. */
    if (file->length >= 4 && memcmp(file->bytes, "\x7f" "ELF", 4) == 0) {
      if (fcntl(file->fd, F_SETFD, FD_CLOEXEC) < 0) return -1;
      config->program_fd = file->fd;
      continue;
    }
    int sourced = source_shebang(config, file);
    if (sourced < 0) return -1;
    if (sourced == 0) config->program_fd = file->fd;
  }
  return 0;
}

/* Landlock (the kernel's unprivileged access control). Debian's linux-libc-dev
 * may predate ABI 3 and 6, so what the code needs is defined here; the kernel
 * ABI is fixed, these values never change. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
/* The lowest ABI that confines every write: ABI 3 adds truncate. */
#define LANDLOCK_MIN_ABI 3

struct ruleset_attr {
  uint64_t handled_access_fs, handled_access_net, scoped;
};

/* The Landlock ABI this kernel offers, or 0 when it has none (ENOSYS: not
 * built in, or a seccomp filter of the caller says so; EOPNOTSUPP: not enabled). */
static int landlock_abi(void) {
  long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : (int)abi;
}

/* The write rights of the ABI: everything that changes a file or a directory. */
static uint64_t landlock_write_rights(int abi) {
  uint64_t rights = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
  if (abi >= 2) rights |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
  return rights;
}

/*
 * Adds one path-beneath rule; a path that does not exist allows nothing and is
 * skipped. The sandbox sends real paths, so no symlink is followed: one put in
 * a path since (by the agent, outside) fails the run rather than widen the rule.
 */
static int landlock_allow(int ruleset, const char *path, uint64_t dir_rights, uint64_t file_rights) {
  struct open_how how = {.flags = O_PATH | O_CLOEXEC, .mode = 0, .resolve = RESOLVE_NO_SYMLINKS};
  int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
  struct stat info;
  if (fstat(fd, &info) < 0) {
    close(fd);
    return -1;
  }
  struct landlock_path_beneath_attr rule = {
      .allowed_access = S_ISDIR(info.st_mode) ? dir_rights : file_rights,
      .parent_fd = fd,
  };
  int added = rule.allowed_access == 0
                  ? 0
                  : (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
  int error = errno;
  close(fd);
  errno = error;
  return added < 0 ? -1 : 0;
}

/*
 * Confines the program before execve: it may execute only `exec_paths` (the
 * program, its interpreter, the dynamic loaders and the allowlist, resolved by
 * the sandbox) and write only beneath `write_paths`. Reading is not
 * restricted. With ABI 6, it also cannot connect to abstract UNIX sockets or
 * signal processes outside its own domain. Returns -1 with errno set.
 */
static int apply_landlock(const struct config *config, int abi) {
  if (abi <= 0 || config->landlock == 0) return 0;
  uint64_t write = landlock_write_rights(abi);
  /* An empty exec list means the command declared no allow: list, so exec is
   * not handled (any program may run); writes are confined either way. */
  uint64_t exec = config->exec_paths[0] == NULL ? 0 : LANDLOCK_ACCESS_FS_EXECUTE;
  struct ruleset_attr attr = {
      .handled_access_fs = exec | write,
      .handled_access_net = 0,
      .scoped = abi >= 6 ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL : 0,
  };
  size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
  int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
  if (ruleset < 0) return -1;
  uint64_t file_write = LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
  for (char **path = config->exec_paths; *path != NULL; path++)
    if (landlock_allow(ruleset, *path, 0, LANDLOCK_ACCESS_FS_EXECUTE) < 0) return -1;
  for (char **path = config->write_paths; *path != NULL; path++)
    if (landlock_allow(ruleset, *path, write, file_write) < 0) return -1;
  if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) return -1;
  close(ruleset);
  return 0;
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/*
 * Landlock checks the execute right on paths, and a memfd has none: a
 * program allowed to run could write any executable into a memfd of its own
 * and execveat it. So where exec is confined, memfd_create is refused (EPERM)
 * unless it asks for MFD_NOEXEC_SEAL (a memfd that can never be executed),
 * as vm.memfd_noexec=2 would. The verified copies are made before this, by
 * the init. (A system call of another architecture is killed by the filter
 * of apply_seccomp.)
 */
static int deny_executable_memfd(void) {
  struct sock_filter filter[] = {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 3),
      /* 2: the flags, the low 32 bits of the second argument (both ABIs are little-endian) */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
      /* 3 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MFD_NOEXEC_SEAL, 1, 0),
      /* 4 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      /* 5 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) < 0 ? -1 : 0;
}

/*
 * The seccomp filter of the program (and everything it starts): the system
 * calls that reach into other processes, the kernel's key store, new
 * namespaces and mounts, or another terminal's input fail with EPERM before
 * the kernel looks at their arguments. clone3 fails with ENOSYS, since its
 * flags sit in memory a filter cannot read, so libc falls back to clone,
 * whose flags it can. A system call of another architecture (i386 through
 * int 0x80, x32) kills the process: its numbers mean other calls.
 */
#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter knows x86_64 and aarch64 only"
#endif

static const int denied_syscalls[] = {
    __NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev, __NR_kcmp, __NR_bpf,
    __NR_keyctl, __NR_add_key, __NR_request_key, __NR_userfaultfd, __NR_perf_event_open,
    __NR_setns, __NR_mount, __NR_umount2, __NR_pivot_root, __NR_open_tree, __NR_move_mount,
    __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_mount_setattr,
    __NR_pidfd_getfd, __NR_open_by_handle_at, __NR_init_module, __NR_finit_module,
    __NR_delete_module, __NR_kexec_load, __NR_kexec_file_load, __NR_reboot, __NR_swapon,
    __NR_swapoff, __NR_acct, __NR_quotactl, __NR_quotactl_fd,
#ifdef __NR_iopl
    __NR_iopl,
#endif
#ifdef __NR_ioperm
    __NR_ioperm,
#endif
};

#define DENIED_COUNT (sizeof denied_syscalls / sizeof denied_syscalls[0])
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RETURN(value) BPF_STMT(BPF_RET | BPF_K, (value))
#define EPERM_RETURN RETURN(SECCOMP_RET_ERRNO | EPERM)

/* What the filter does with one system call it names; every other one is allowed. */
enum seccomp_rule_kind {
  RULE_DENY,       /* EPERM */
  RULE_NOSYS,      /* ENOSYS: clone3 */
  RULE_NO_USERNS,  /* EPERM when argument 0 (the flags) asks for CLONE_NEWUSER: unshare, clone */
  RULE_NO_TIOCSTI, /* EPERM when argument 1 is TIOCSTI or TIOCLINUX: ioctl */
};

struct seccomp_rule {
  unsigned nr;
  enum seccomp_rule_kind kind;
};

#define RULE_COUNT (DENIED_COUNT + 4)
/* Five rules or fewer are tested one by one; more are split in two by number. */
#define RULE_LEAF 5

/* Appends the instructions of one rule's action (the accumulator holds its number). */
static void emit_action(struct sock_filter *filter, size_t *n, enum seccomp_rule_kind kind) {
  switch (kind) {
  case RULE_DENY:
    filter[(*n)++] = (struct sock_filter)EPERM_RETURN;
    break;
  case RULE_NOSYS:
    filter[(*n)++] = (struct sock_filter)RETURN(SECCOMP_RET_ERRNO | ENOSYS);
    break;
  case RULE_NO_USERNS:
    filter[(*n)++] = (struct sock_filter)LOAD(args[0]);
    filter[(*n)++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1);
    filter[(*n)++] = (struct sock_filter)EPERM_RETURN;
    filter[(*n)++] = (struct sock_filter)RETURN(SECCOMP_RET_ALLOW);
    break;
  case RULE_NO_TIOCSTI:
    filter[(*n)++] = (struct sock_filter)LOAD(args[1]);
    filter[(*n)++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 2, 0);
    filter[(*n)++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 1, 0);
    filter[(*n)++] = (struct sock_filter)RETURN(SECCOMP_RET_ALLOW);
    filter[(*n)++] = (struct sock_filter)EPERM_RETURN;
    break;
  }
}

static size_t action_length(enum seccomp_rule_kind kind) {
  return kind == RULE_NO_USERNS ? 4 : kind == RULE_NO_TIOCSTI ? 5 : 1;
}

/*
 * The rules `rules[0..count)`, sorted by number, as a binary search on the
 * number in the accumulator: a few comparisons for any system call, where
 * one comparison per rule made installing the filter cost about three times
 * as much (the kernel runs the filter once per system call number to cache
 * the ones it always allows). Returns -1 when a jump would not fit in 8 bits.
 */
static int emit_rules(struct sock_filter *filter, size_t *n, const struct seccomp_rule *rules,
                      size_t count) {
  if (count <= RULE_LEAF) {
    for (size_t i = 0; i < count; i++) {
      filter[(*n)++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, rules[i].nr, 0,
                                                    (unsigned char)action_length(rules[i].kind));
      emit_action(filter, n, rules[i].kind);
    }
    filter[(*n)++] = (struct sock_filter)RETURN(SECCOMP_RET_ALLOW);
    return 0;
  }
  size_t half = count / 2, branch = (*n)++;
  if (emit_rules(filter, n, rules, half) < 0) return -1;
  size_t skip = *n - branch - 1;
  if (skip > 255) return -1;
  /* At or above the first number of the upper half: jump over the lower half. */
  filter[branch] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, rules[half].nr,
                                                (unsigned char)skip, 0);
  return emit_rules(filter, n, rules + half, count - half);
}

static int apply_seccomp(void) {
  struct seccomp_rule rules[RULE_COUNT];
  size_t count = 0;
  for (size_t i = 0; i < DENIED_COUNT; i++)
    rules[count++] = (struct seccomp_rule){(unsigned)denied_syscalls[i], RULE_DENY};
  rules[count++] = (struct seccomp_rule){__NR_clone3, RULE_NOSYS};
  rules[count++] = (struct seccomp_rule){__NR_unshare, RULE_NO_USERNS};
  rules[count++] = (struct seccomp_rule){__NR_clone, RULE_NO_USERNS};
  rules[count++] = (struct seccomp_rule){__NR_ioctl, RULE_NO_TIOCSTI};
  /* Sorted by number (insertion sort: a few dozen rules); a number named twice is a bug. */
  for (size_t i = 1; i < count; i++) {
    struct seccomp_rule rule = rules[i];
    size_t j = i;
    for (; j > 0 && rules[j - 1].nr > rule.nr; j--) rules[j] = rules[j - 1];
    rules[j] = rule;
  }
  for (size_t i = 1; i < count; i++)
    if (rules[i].nr == rules[i - 1].nr) {
      errno = NO_SECCOMP;
      return -1;
    }
  /* Per rule at most its comparison and a five-instruction action, one split and one allow. */
  struct sock_filter filter[8 + 8 * RULE_COUNT];
  size_t n = 0;
  filter[n++] = (struct sock_filter)LOAD(arch);
  filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0);
  filter[n++] = (struct sock_filter)RETURN(SECCOMP_RET_KILL_PROCESS);
  filter[n++] = (struct sock_filter)LOAD(nr);
#if defined(__x86_64__)
  /* x32 system calls: the same arch, numbers with bit 30 set. */
  filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
  filter[n++] = (struct sock_filter)RETURN(SECCOMP_RET_KILL_PROCESS);
#endif
  if (emit_rules(filter, &n, rules, count) < 0) {
    errno = NO_SECCOMP;
    return -1;
  }
  struct sock_fprog program = {(unsigned short)n, filter};
  /* no_new_privs is set (main), so no privilege is needed. */
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) < 0) {
    errno = NO_SECCOMP;
    return -1;
  }
  return 0;
}

static const int limit_resources[8] = {RLIMIT_CORE,  RLIMIT_CPU,   RLIMIT_FSIZE, RLIMIT_NPROC,
                                       RLIMIT_AS,    RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_STACK};

/* In the forked child: everything up to execve. Returns only on failure, with errno set. */
static void start_program(const struct config *config, int abi, int error_pipe) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int signo = 1; signo < NSIG; signo++) signal(signo, SIG_DFL);
  if (setsid() < 0) return;
  for (int i = 0; i < 8; i++) {
    if (strcmp(config->limits[i], "-") == 0) continue;
    unsigned long value;
    struct rlimit limit;
    if (strcmp(config->limits[i], "unlimited") == 0) limit.rlim_cur = RLIM_INFINITY;
    else if (parse_count(config->limits[i], ~0UL - 1, &value) == 0) limit.rlim_cur = value;
    else { errno = EINVAL; return; }
    limit.rlim_max = limit.rlim_cur;
    if (setrlimit(limit_resources[i], &limit) < 0) {
      /* A hard limit already below the wanted one cannot be raised: keep the lower one. */
      struct rlimit current;
      if (getrlimit(limit_resources[i], &current) < 0) return;
      if (current.rlim_max == RLIM_INFINITY || current.rlim_max > limit.rlim_cur) return;
      current.rlim_cur = current.rlim_max;
      if (setrlimit(limit_resources[i], &current) < 0) return;
    }
  }
  /* A nested user namespace where the program is not uid 0 and has no
   * capability over the init. Its memory belongs to the caller's user namespace (the init was forked
   * there, not executed inside), so while it is not dumpable its /proc files
   * belong to root there and it could not write its own maps. Nothing else
   * runs in the namespace yet, and execve makes it dumpable anyway. */
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) return;
  if (unshare(CLONE_NEWUSER) < 0) return;
  char map[64];
  snprintf(map, sizeof map, "%lu 0 1\n", config->uid);
  if (write_file("/proc/self/uid_map", map) < 0) return;
  if (write_file("/proc/self/setgroups", "deny") < 0) return;
  if (write_file("/proc/self/gid_map", map) < 0) return;
  if (chdir(config->cwd) < 0) return;
  if (apply_landlock(config, abi) < 0) return;
  /* Where Landlock confines exec, a memfd must not be a way around it. */
  if (abi > 0 && config->landlock != 0 && config->exec_paths[0] != NULL &&
      deny_executable_memfd() < 0)
    return;
  /* Every descriptor above 2 goes, the channel included, but the verified
   * copies; the error pipe is close-on-exec. */
  int keep[MAX_VERIFIED + 1];
  keep[0] = error_pipe;
  for (unsigned long i = 0; i < config->verified_count; i++) keep[i + 1] = config->verified[i].fd;
  close_except(3, keep, (int)config->verified_count + 1);
  /* Last: after it, the program's own start-up (execve or execveat) is the only call left. */
  if (apply_seccomp() < 0) return;
  if (config->program_fd >= 0)
    syscall(SYS_execveat, config->program_fd, "", config->argv, config->envp, AT_EMPTY_PATH);
  else
    execve(config->file, config->argv, config->envp);
}

/*
 * Covers `folder` with an empty file system, read-only and closed to
 * everyone (mode 0), in this mount namespace only (its mounts are private):
 * a run of the spawner finds no listener there, whatever path or name it
 * tries, since the one way in is covered and it cannot remove the cover
 * (the seccomp filter refuses every mount call, and the program has no
 * capability over this namespace). Its streams were connected before (by the
 * spawner, before the fork). Returns -1 with errno set.
 */
static int hide_folder(const char *folder) {
  return mount("ironrun-hidden", folder, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
               "mode=0,size=4k,nr_inodes=2");
}

static void write_map_or_die(const char *path, const char *text) {
  if (write_file(path, text) == 0) return;
  fprintf(stderr, "ironrun-init: cannot write %s: %s\n", path, strerror(errno));
  _exit(125);
}

/*
 * `--namespaces [--user] [--net]`, in the caller's namespaces: new PID,
 * mount, IPC and UTS namespaces (and user, mapping the caller's uid and gid
 * to 0, and network), then a fork. The child is PID 1 of the new PID
 * namespace: it dies with this process (PR_SET_PDEATHSIG), makes the mounts
 * private, mounts its own /proc, hides the folder `hidden` (the spawner's
 * listener, see hide_folder; NULL for none) and returns to go on as the init. This
 * process only waits, ignoring SIGINT and SIGTERM (the init forwards them to
 * the namespace: the sandbox signals the whole group), and ends as the init
 * did: its exit code, or the signal that killed it, raised again.
 */
static void enter_namespaces(int user, int net, const char *hidden) {
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
  if (user) flags |= CLONE_NEWUSER;
  if (net) flags |= CLONE_NEWNET;
  char uid_map[64], gid_map[64];
  snprintf(uid_map, sizeof uid_map, "0 %lu 1\n", (unsigned long)getuid());
  snprintf(gid_map, sizeof gid_map, "0 %lu 1\n", (unsigned long)getgid());
  if (unshare(flags) < 0) {
    fprintf(stderr, "ironrun-init: cannot create the namespaces: %s\n", strerror(errno));
    _exit(125);
  }
  if (user) {
    /* A process that is not dumpable cannot write its own maps (its /proc
     * files belong to root): dumpable for these three writes, as unshare is. */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    write_map_or_die("/proc/self/uid_map", uid_map);
    write_map_or_die("/proc/self/setgroups", "deny");
    write_map_or_die("/proc/self/gid_map", gid_map);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  }
  pid_t init = fork();
  if (init < 0) {
    fprintf(stderr, "ironrun-init: cannot fork the namespace init: %s\n", strerror(errno));
    _exit(125);
  }
  if (init == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
      fprintf(stderr, "ironrun-init: cannot mount /proc in the new namespaces: %s\n",
              strerror(errno));
      _exit(125);
    }
    if (hidden != NULL && hide_folder(hidden) < 0) {
      fprintf(stderr, "ironrun-init: cannot hide the spawner's folder in the new namespaces: %s\n",
              strerror(errno));
      _exit(125);
    }
    return;
  }
  /* The channel is the init's alone. */
  close(CHANNEL);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  int status;
  while (waitpid(init, &status, 0) < 0)
    if (errno != EINTR) _exit(125);
  if (WIFSIGNALED(status)) {
    int signo = WTERMSIG(status);
    signal(signo, SIG_DFL);
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, signo);
    sigprocmask(SIG_UNBLOCK, &just, NULL);
    kill(getpid(), signo);
    _exit(128 + signo);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

/*
 * The program's private temporary directory: an empty tmpfs on `folder` (a
 * 0700 folder the sandbox made once for all its runs), in this mount
 * namespace only, owned by the program (its uid maps to this init's) and
 * writable by it alone. Nothing is made or removed on the disk per run; it
 * is gone with the namespace. Nothing for "". Returns -1 with errno set.
 */
static int mount_tmpdir(const char *folder) {
  if (folder[0] == '\0') return 0;
  return mount("ironrun-tmp", folder, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700");
}

/* The namespace init's own work, as PID 1 (see the top of this file); returns its exit status. */
static int run_init(void) {
  if (getpid() != 1 || fcntl(CHANNEL, F_SETFD, FD_CLOEXEC) < 0) {
    fprintf(stderr, "ironrun-init: runs only as PID 1 of a namespace @ironrun/sandbox created\n");
    return 125;
  }
  close_from(4, -1);

  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGCHLD);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGINT);
  sigaddset(&handled, SIGHUP);
  sigprocmask(SIG_BLOCK, &handled, NULL);
  int signals = signalfd(-1, &handled, SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);

  struct config config;
  memset(&config, 0, sizeof config);
  if (signals < 0 || read_config(&config) < 0) {
    fprintf(stderr, "ironrun-init: no valid configuration on the report channel\n");
    kill(-1, SIGKILL);
    return 125;
  }
  if (config.loopback) loopback_up();
  if (mount_tmpdir(config.tmpdir) < 0) {
    report_error(errno);
    return 127;
  }
  if (place_verified(&config) < 0) {
    report_error(errno);
    return 127;
  }

  /* Landlock is required (strict) or wanted (best-effort): probed here, in
   * the init, so a missing or too old Landlock is refused before the program runs. */
  int abi = config.landlock == 0 ? 0 : landlock_abi();
  if (config.landlock == 1 && abi < LANDLOCK_MIN_ABI) {
    report(abi == 0 ? "{\"type\":\"error\",\"code\":\"ENOLANDLOCK\"}\n"
                    : "{\"type\":\"error\",\"code\":\"ELANDLOCKABI\"}\n");
    return 127;
  }
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) < 0) {
    report("{\"type\":\"error\",\"code\":\"UNKNOWN\"}\n");
    return 127;
  }
  pid_t program = fork();
  if (program < 0) {
    report("{\"type\":\"error\",\"code\":\"EAGAIN\"}\n");
    return 127;
  }
  if (program == 0) {
    close(error_pipe[0]);
    start_program(&config, abi, error_pipe[1]);
    int error = errno;
    if (write(error_pipe[1], &error, sizeof error) < 0) _exit(127);
    _exit(127);
  }
  close(error_pipe[1]);
  int error = 0;
  ssize_t got;
  do got = read(error_pipe[0], &error, sizeof error);
  while (got < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (got == (ssize_t)sizeof error) {
    waitpid(program, NULL, 0);
    report_error(error);
    return 127;
  }
  char started[64];
  snprintf(started, sizeof started, "{\"type\":\"started\",\"landlock\":%d}\n",
           config.landlock == 0 ? 0 : abi);
  report(started);

  struct pollfd watched[2] = {{signals, POLLIN, 0}, {CHANNEL, POLLIN | POLLRDHUP, 0}};
  for (;;) {
    if (poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (watched[1].revents != 0) {
      char ignored[256];
      ssize_t n = read(CHANNEL, ignored, sizeof ignored);
      if (n <= 0 && !(n < 0 && errno == EINTR)) break; /* the sandbox is gone */
    }
    if ((watched[0].revents & POLLIN) == 0) continue;
    struct signalfd_siginfo info;
    if (read(signals, &info, sizeof info) != (ssize_t)sizeof info) continue;
    if (info.ssi_signo != SIGCHLD) {
      kill(-1, (int)info.ssi_signo);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != program) continue;
      char line[96];
      int code;
      const char *name = WIFSIGNALED(status) ? signal_name(WTERMSIG(status)) : NULL;
      if (WIFEXITED(status)) {
        code = WEXITSTATUS(status);
        snprintf(line, sizeof line, "{\"type\":\"exit\",\"code\":%d,\"signal\":null}\n", code);
      } else if (name != NULL) {
        code = 128 + WTERMSIG(status);
        snprintf(line, sizeof line, "{\"type\":\"exit\",\"code\":null,\"signal\":\"%s\"}\n", name);
      } else {
        code = 128 + WTERMSIG(status);
        snprintf(line, sizeof line, "{\"type\":\"exit\",\"code\":%d,\"signal\":null}\n", code);
      }
      report(line);
      return code;
    }
  }
  kill(-1, SIGKILL);
  return 137;
}

/*
 * `--spawner <socket path>`: the server mode, started once by a long-lived
 * process (the MCP server, the agent broker) so that a sealed run costs a
 * fork of this small process rather than of the caller (see
 * src/sealed-spawner.ts). Its only channel is descriptor 3 on start (a socket
 * pair to the caller), moved above 9, close-on-exec, and closed in every run
 * before anything else happens there. It reads requests, one line each:
 *   R <id> <token: 32 hex digits> <u|-><n|->
 * and for each connects three stream sockets to the caller's listener at
 * <socket path> (a 0700 directory the caller made), writes `<token><o|e|r>`
 * first on each (stdout, stderr, the report channel), and forks the run:
 * descriptors 0 (/dev/null), 1, 2 and 3 (those sockets) and nothing else,
 * its own session, default signals, then exactly what `--namespaces [--user]
 * [--net]` does (enter_namespaces, then run_init). It answers
 *   S <id> <pid>        the run's leader started (pid in the caller's namespace)
 *   F <id> <errno name> it could not be started; nothing ran
 *   X <id> E <code> | X <id> S <signal number>   the leader ended
 * and kills every run's process group, then exits, when the channel closes
 * or carries a malformed line. The caller's death kills it
 * (PR_SET_PDEATHSIG), and its death kills every run (the same, per run).
 */
#define MAX_RUNS 1024

struct spawner_run {
  unsigned long id;
  pid_t pid;
};

static int spawner_channel = -1;

static void spawner_say(const char *line) {
  size_t length = strlen(line), done = 0;
  while (done < length) {
    ssize_t n = write(spawner_channel, line + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(125);
    done += (size_t)n;
  }
}

static int dial(const struct sockaddr_un *address, const char *token, char kind) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  char header[33];
  memcpy(header, token, 32);
  header[32] = kind;
  int result;
  do result = connect(fd, (const struct sockaddr *)address, sizeof *address);
  while (result < 0 && errno == EINTR);
  if (result < 0) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  if (write_full(fd, header, sizeof header) < 0) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

/* In the forked run: from the spawner's state to what `--namespaces` starts with. */
static void become_run(pid_t spawner, int null_fd, const int sockets[3], int user, int net,
                       const char *listener_folder) {
  /* Dies with the spawner; a spawner already gone leaves nothing to run for. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != spawner) _exit(125);
  if (dup2(null_fd, 0) < 0 || dup2(sockets[0], 1) < 0 || dup2(sockets[1], 2) < 0 ||
      dup2(sockets[2], CHANNEL) < 0)
    _exit(125);
  /* The spawner's channel, /dev/null and the sockets' first descriptors go. */
  close_from(4, -1);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int signo = 1; signo < NSIG; signo++) signal(signo, SIG_DFL);
  if (setsid() < 0) _exit(125);
  enter_namespaces(user, net, listener_folder);
  _exit(run_init());
}

static int parse_request(char *line, unsigned long *id, char token[33], int *user, int *net) {
  char *fields[4];
  int count = 0;
  for (char *cursor = line; count < 4;) {
    fields[count++] = cursor;
    char *space = strchr(cursor, ' ');
    if (space == NULL) break;
    *space = '\0';
    cursor = space + 1;
  }
  if (count != 4 || strcmp(fields[0], "R") != 0 || parse_count(fields[1], 0x7fffffffUL, id) < 0)
    return -1;
  if (strlen(fields[2]) != 32 || strspn(fields[2], "0123456789abcdef") != 32) return -1;
  memcpy(token, fields[2], 33);
  const char *flags = fields[3];
  if (strlen(flags) != 2 || (flags[0] != 'u' && flags[0] != '-') || (flags[1] != 'n' && flags[1] != '-'))
    return -1;
  *user = flags[0] == 'u';
  *net = flags[1] == 'n';
  return 0;
}

static int spawner_main(const char *socket_path) {
  pid_t self = getpid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() == 1) return 125;
  struct sockaddr_un address;
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (socket_path[0] != '/' || strlen(socket_path) >= sizeof address.sun_path) {
    fprintf(stderr, "ironrun-init: --spawner needs an absolute socket path shorter than %zu bytes\n",
            sizeof address.sun_path);
    return 125;
  }
  strcpy(address.sun_path, socket_path);
  /* The listener's folder, hidden in every run (see hide_folder): never `/` itself. */
  static char listener_folder[sizeof address.sun_path];
  size_t folder_length = (size_t)(strrchr(socket_path, '/') - socket_path);
  if (folder_length == 0) {
    fprintf(stderr, "ironrun-init: --spawner needs a socket path inside a folder other than /\n");
    return 125;
  }
  memcpy(listener_folder, socket_path, folder_length);
  listener_folder[folder_length] = '\0';
  /* Descriptors 0-2 are open, so no socket of a run is ever one of them (see become_run). */
  for (int fd = open("/dev/null", O_RDWR); fd >= 0 && fd <= 2; fd = open("/dev/null", O_RDWR)) {}
  spawner_channel = fcntl(CHANNEL, F_DUPFD_CLOEXEC, 10);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (spawner_channel < 0 || null_fd < 0) return 125;
  {
    int keep[2] = {spawner_channel, null_fd};
    close_except(3, keep, 2);
  }
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGCHLD);
  sigprocmask(SIG_BLOCK, &handled, NULL);
  int signals = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  if (signals < 0) return 125;
  static struct spawner_run runs[MAX_RUNS];
  int live = 0;
  static char pending[4096];
  size_t used = 0;
  spawner_say("READY\n");
  struct pollfd watched[2] = {{signals, POLLIN, 0}, {spawner_channel, POLLIN, 0}};
  for (;;) {
    if (poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (watched[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(signals, &info, sizeof info) == (ssize_t)sizeof info) {}
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < live; i++) {
          if (runs[i].pid != pid) continue;
          char line[64];
          if (WIFSIGNALED(status))
            snprintf(line, sizeof line, "X %lu S %d\n", runs[i].id, WTERMSIG(status));
          else
            snprintf(line, sizeof line, "X %lu E %d\n", runs[i].id,
                     WIFEXITED(status) ? WEXITSTATUS(status) : 125);
          runs[i] = runs[--live];
          spawner_say(line);
          break;
        }
      }
    }
    if (watched[1].revents == 0) continue;
    ssize_t n = read(spawner_channel, pending + used, sizeof pending - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* the caller closed the channel, or is gone */
    used += (size_t)n;
    char *newline;
    int broken = 0;
    while (!broken && (newline = memchr(pending, '\n', used)) != NULL) {
      *newline = '\0';
      unsigned long id;
      char token[33];
      int user, net;
      if (parse_request(pending, &id, token, &user, &net) < 0) {
        broken = 1;
        break;
      }
      /* The request (its token) is wiped from the buffer once read. */
      size_t consumed = (size_t)(newline + 1 - pending), rest = used - consumed;
      memmove(pending, newline + 1, rest);
      explicit_bzero(pending + rest, consumed);
      used = rest;
      char line[64];
      int sockets[3] = {-1, -1, -1};
      const char kinds[3] = {'o', 'e', 'r'};
      int error = 0;
      if (live >= MAX_RUNS) error = EAGAIN;
      for (int i = 0; i < 3 && error == 0; i++)
        if ((sockets[i] = dial(&address, token, kinds[i])) < 0) error = errno;
      explicit_bzero(token, sizeof token);
      pid_t pid = -1;
      if (error == 0) {
        pid = fork();
        if (pid == 0) become_run(self, null_fd, sockets, user, net, listener_folder);
        if (pid < 0) error = errno;
      }
      for (int i = 0; i < 3; i++)
        if (sockets[i] >= 0) close(sockets[i]);
      if (error != 0) {
        snprintf(line, sizeof line, "F %lu %s\n", id, errno_name(error));
      } else {
        runs[live].id = id;
        runs[live].pid = pid;
        live++;
        snprintf(line, sizeof line, "S %lu %d\n", id, (int)pid);
      }
      spawner_say(line);
    }
    if (broken || used == sizeof pending) break;
  }
  for (int i = 0; i < live; i++) kill(-runs[i].pid, SIGKILL);
  return 0;
}

int main(int argc, char **argv) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  if (argc == 3 && strcmp(argv[1], "--spawner") == 0) return spawner_main(argv[2]);
  if (argc > 1 && strcmp(argv[1], "--namespaces") == 0) {
    int user = 0, net = 0;
    for (int i = 2; i < argc; i++) {
      if (strcmp(argv[i], "--user") == 0) user = 1;
      else if (strcmp(argv[i], "--net") == 0) net = 1;
      else {
        fprintf(stderr, "ironrun-init: unknown option %.64s\n", argv[i]);
        return 125;
      }
    }
    enter_namespaces(user, net, NULL);
  }
  return run_init();
}
