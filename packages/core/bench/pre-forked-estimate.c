/*
 * The estimate bench's stand-in for a pre-forked native spawner (see
 * pre-forked-estimate.mjs): started once, small, it runs one sealed /bin/true
 * through the native init for every byte it reads on stdin, as spawnSealed
 * would (`ironrun-init --namespaces --user`, its report channel a socket pair
 * on descriptor 3, the configuration sent over it), and answers `y` when the
 * init reported the exit and ended with 0, `n` otherwise. Not a spawner: no
 * output pipes, no TTL, no cancel; only the cost of the start without a fork
 * of the Node process.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The configuration encodeNativeInitConfig (src/native-init.ts) writes for /bin/true in /. */
static size_t true_config(char *out, size_t size) {
  char uid[16];
  snprintf(uid, sizeof uid, "%u", getuid() == 0 ? 65534u : (unsigned)getuid());
  /* file, cwd, uid, loopback; the eight limits (core off, cpu, file size, processes, address
   * space, then three as inherited); argc, argv; envc; Landlock off, no exec or write paths,
   * no verified copies. */
  const char *strings[] = {"/bin/true", "/",  uid, "0", "0", "unlimited", "unlimited", "4096",
                           "unlimited", "-", "-", "-", "1", "/bin/true", "0",         "0",
                           "0",         "0", "0"};
  size_t length = 8;
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
    size_t n = strlen(strings[i]) + 1;
    if (length + n > size) return 0;
    memcpy(out + length, strings[i], n);
    length += n;
  }
  memcpy(out, "IRI1", 4);
  unsigned body = (unsigned)(length - 8);
  for (int i = 0; i < 4; i++) out[4 + i] = (char)((body >> (8 * i)) & 0xff);
  return length;
}

static int sealed_true(const char *init, const char *config, size_t length) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) return 0;
  pid_t launcher = fork();
  if (launcher == 0) {
    setsid();
    dup2(pair[1], 3);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execl(init, init, "--namespaces", "--user", (char *)NULL);
    _exit(127);
  }
  close(pair[1]);
  if (launcher < 0 || write(pair[0], config, length) != (ssize_t)length) {
    close(pair[0]);
    return 0;
  }
  char buffer[512];
  ssize_t n;
  int exited = 0;
  while ((n = read(pair[0], buffer, sizeof buffer)) > 0)
    if (memmem(buffer, (size_t)n, "\"type\":\"exit\",\"code\":0", 22) != NULL) exited = 1;
  close(pair[0]);
  int status;
  if (waitpid(launcher, &status, 0) < 0) return 0;
  return exited && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: pre-forked-estimate <ironrun-init>\n");
    return 2;
  }
  char config[512];
  size_t length = true_config(config, sizeof config);
  char request;
  while (read(0, &request, 1) == 1) {
    char answer = sealed_true(argv[1], config, length) ? 'y' : 'n';
    if (write(1, &answer, 1) != 1) return 1;
  }
  return 0;
}
