// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal init for probe graph boots: mount the pseudo filesystems, wait
 * until device probing has settled, print the probe graph debugfs files
 * between markers on the console and power off.
 *
 * Kernel command line options understood (after "--" or as init args):
 *   pg.settle_ms=N	how long the files must stay unchanged (default 300)
 *   pg.timeout_s=N	give up waiting after N seconds (default 60)
 *   pg.min_ms=N		do not settle before N ms of uptime, for trees
 *			where a timeout (deferred_probe_timeout=) must fire
 *   pg.kmsg=1		also print the "probe of" lines initcall_debug left
 *			in the kernel log, as the block /kmsg/probes;
 *			pg.kmsg=2 adds its "calling" and "initcall" lines
 *   pg.steps=S,S,...	after settling, run each step and print the probe
 *			graph's devices and stats right after it, as the
 *			blocks /step/N/probe_graph/{devices,stats} and
 *			the platform devices whose sysfs "driver" link
 *			names the test device driver, as /step/N/bound:
 *			insmod:NAME loads /lib/modules/NAME.ko, rmmod:NAME
 *			unloads module NAME, settle waits as at boot; a line
 *			"init: step N OP:ARG: rc R (ERRNO) in T ms" each
 *   pg.kmemleak=1	then have kmemleak scan memory and print what it
 *			reports as the block /kmemleak
 *   pg.run=PATH	then run PATH (e.g. a selftest script, with a shell
 *			in /bin) and print its output as the block
 *			/run/PATH, then "init: run PATH: exit N"
 *
 * Run as /sbin/modprobe, which the kernel's request_module() executes as
 * "modprobe -q -- NAME", it loads /lib/modules/NAME.ko and logs what it
 * did to the kernel log.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEBUGFS		"/sys/kernel/debug"
#define PG_DIR		DEBUGFS "/probe_graph"
#define MAX_SNAPSHOT	(64 << 20)

static char *snap_a, *snap_b;

static void mnt(const char *src, const char *dst, const char *type)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, NULL) && errno != EBUSY)
		printf("init: mount %s on %s: %s\n", type, dst, strerror(errno));
}

static long uptime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append the contents of @path to @buf at @len; returns the new length. */
static size_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return len;
	while (len < MAX_SNAPSHOT &&
	       (n = read(fd, buf + len, MAX_SNAPSHOT - len)) > 0)
		len += n;
	close(fd);
	return len;
}

/* Concatenate every file that tells whether probing is still going on. */
/* Labels the test device's count of probes running now in a snapshot. */
#define RUNNING		"\nrunning "

static size_t snapshot(char *buf)
{
	size_t len = 0;

	len = slurp(DEBUGFS "/devices_deferred", buf, len);
	len = slurp(PG_DIR "/devices", buf, len);
	len = slurp(PG_DIR "/stats", buf, len);
	/* Without the graph, its files stay as they are while probes run. */
	len = slurp(DEBUGFS "/probe_graph_test_device/bound", buf, len);
	if (access(DEBUGFS "/probe_graph_test_device/running", R_OK))
		return len;
	if (len + strlen(RUNNING) < MAX_SNAPSHOT) {
		memcpy(buf + len, RUNNING, strlen(RUNNING));
		len += strlen(RUNNING);
	}
	len = slurp(DEBUGFS "/probe_graph_test_device/running", buf, len);
	return len;
}

static long min_ms;
static int want_kmsg;
static int want_kmemleak;

/* A "key N" line of the stats with N other than 0. */
static int stat_nonzero(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = memmem(buf, len, key, klen);

	return p && p[klen] != '0';
}

/*
 * The graph has probes queued or running, or the test device driver is
 * in a probe, whoever runs it.
 */
static int graph_busy(const char *buf, size_t len)
{
	return stat_nonzero(buf, len, "\nbusy ") ||
	       stat_nonzero(buf, len, RUNNING);
}

static void settle(long settle_ms, long timeout_s)
{
	long deadline = now_ms() + timeout_s * 1000;
	long stable_since = now_ms();
	size_t la = snapshot(snap_a), lb;
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	for (;;) {
		nanosleep(&tick, NULL);
		lb = snapshot(snap_b);
		if (lb != la || memcmp(snap_a, snap_b, la) ||
		    graph_busy(snap_b, lb)) {
			char *t = snap_a;

			snap_a = snap_b;
			snap_b = t;
			la = lb;
			stable_since = now_ms();
		} else if (now_ms() - stable_since >= settle_ms &&
			   uptime_ms() >= min_ms) {
			printf("init: probing settled\n");
			return;
		}
		if (now_ms() > deadline) {
			printf("init: probing did not settle in %lds\n",
			       timeout_s);
			return;
		}
	}
}

/* Print @path between markers that name it @name. */
static void dump_file_as(const char *path, const char *name)
{
	char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		printf("init: %s: %s\n", path, strerror(errno));
		return;
	}
	printf("=== probe-graph begin %s ===\n", name);
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	fflush(stdout);
	printf("=== probe-graph end %s ===\n", name);
}

static void dump_file(const char *path)
{
	dump_file_as(path, path);
}

/*
 * Print the kernel log records about probes: "probe of %s returned %d
 * after %lld usecs", which initcall_debug logs at KERN_DEBUG, so they
 * stay off the console while the boot is timed; and the record of when
 * init started ("Run /init as init process", KERN_INFO).
 */
static void dump_kmsg_probes(void)
{
	char rec[8192];
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		printf("init: /dev/kmsg: %s\n", strerror(errno));
		return;
	}
	printf("=== probe-graph begin /kmsg/probes ===\n");
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, ";probe of ") ||
		    (strstr(rec, ";Run ") && strstr(rec, " as init process")) ||
		    (want_kmsg > 1 && (strstr(rec, ";calling ") ||
				       strstr(rec, ";initcall "))))
			fputs(rec, stdout);
	}
	close(fd);
	fflush(stdout);
	printf("=== probe-graph end /kmsg/probes ===\n");
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void dump_dir(const char *dir)
{
	char *names[256], path[512];
	struct dirent *de;
	int n = 0, i;
	DIR *d = opendir(dir);

	if (!d) {
		printf("init: %s: %s\n", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) && n < 256) {
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			dump_file(path);
		free(names[i]);
	}
}

#define PLATFORM_DEVICES	"/sys/bus/platform/devices"
#define TEST_DRIVER		"probe-graph-test-device"

/*
 * Print the devices linked to the test device driver, one a line: those
 * whose "driver" link names it, so that a device left linked to a driver
 * that is gone would show.
 */
static void dump_bound(const char *name)
{
	char link[512], target[512];
	struct dirent *de;
	DIR *d = opendir(PLATFORM_DEVICES);
	const char *base;
	ssize_t n;

	printf("=== probe-graph begin %s ===\n", name);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), PLATFORM_DEVICES "/%s/driver",
			 de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/');
		if (!strcmp(base ? base + 1 : target, TEST_DRIVER))
			printf("%s\n", de->d_name);
	}
	if (d)
		closedir(d);
	printf("=== probe-graph end %s ===\n", name);
}

static void dump_step(int n)
{
	char name[64];

	snprintf(name, sizeof(name), "/step/%d/bound", n);
	dump_bound(name);

	snprintf(name, sizeof(name), "/step/%d/probe_graph/devices", n);
	dump_file_as(PG_DIR "/devices", name);
	snprintf(name, sizeof(name), "/step/%d/probe_graph/stats", n);
	dump_file_as(PG_DIR "/stats", name);
}

static int load_module(const char *name)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/lib/modules/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* As /sbin/modprobe: load the module named last; loaded already is fine. */
static int modprobe(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[argc - 1] : "";
	int ret = -1, err = EINVAL, fd;
	char msg[320];

	if (name[0] && name[0] != '-') {
		ret = load_module(name);
		err = ret ? errno : 0;
	}
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		snprintf(msg, sizeof(msg), "<5>modprobe: %s: %s\n", name,
			 ret ? strerror(err) : "loaded");
		if (write(fd, msg, strlen(msg)) < 0) {
			/* the kernel log was the only place to say it */
		}
		close(fd);
	}
	return ret && err != EEXIST;
}

/* Run the comma-separated steps of @steps (modified). */
static void run_steps(char *steps, long settle_ms, long timeout_s)
{
	char *step, *save = NULL;
	int n = 0;

	for (step = strtok_r(steps, ",", &save); step;
	     step = strtok_r(NULL, ",", &save)) {
		long start = now_ms();
		int ret = 0, err = 0;

		n++;
		if (!strncmp(step, "insmod:", 7)) {
			ret = load_module(step + 7);
		} else if (!strncmp(step, "rmmod:", 6)) {
			ret = syscall(SYS_delete_module, step + 6, O_NONBLOCK);
		} else if (!strcmp(step, "settle")) {
			settle(settle_ms, timeout_s);
		} else {
			printf("init: step %d %s: unknown\n", n, step);
			continue;
		}
		if (ret)
			err = errno;
		printf("init: step %d %s: rc %d (%s) in %ld ms\n", n, step, ret,
		       err ? strerror(err) : "ok", now_ms() - start);
		dump_step(n);
	}
}

/*
 * Ask kmemleak for a scan, then print what it suspects.  kmemleak leaves
 * out objects younger than 5 seconds: let the last step's be older.
 */
static void kmemleak_scan(void)
{
	struct timespec age = { 6, 0 };
	int fd;

	nanosleep(&age, NULL);
	fd = open(DEBUGFS "/kmemleak", O_WRONLY);

	if (fd < 0) {
		printf("init: kmemleak: %s\n", strerror(errno));
		return;
	}
	if (write(fd, "scan", 4) != 4)
		printf("init: kmemleak scan: %s\n", strerror(errno));
	close(fd);
	dump_file_as(DEBUGFS "/kmemleak", "/kmemleak");
}

/* Run @path with /bin on the PATH; print its output between markers. */
static void run_program(char *path)
{
	char *args[] = { path, NULL };
	char *envp[] = { "PATH=/bin", "HOME=/", "TERM=dumb", NULL };
	char name[256];
	int status = 0;
	pid_t pid;

	snprintf(name, sizeof(name), "/run%s", path);
	printf("=== probe-graph begin %s ===\n", name);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execve(path, args, envp);
		printf("init: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = -1;
	fflush(stdout);
	printf("=== probe-graph end %s ===\n", name);
	printf("init: run %s: exit %d\n", path,
	       status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
	long settle_ms = 300, timeout_s = 60;
	char *steps = NULL, *run = NULL;
	const char *base;
	int i;

	base = strrchr(argv[0], '/');
	if (!strcmp(base ? base + 1 : argv[0], "modprobe"))
		return modprobe(argc, argv);

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "pg.settle_ms=", 13))
			settle_ms = atol(argv[i] + 13);
		else if (!strncmp(argv[i], "pg.timeout_s=", 13))
			timeout_s = atol(argv[i] + 13);
		else if (!strncmp(argv[i], "pg.min_ms=", 10))
			min_ms = atol(argv[i] + 10);
		else if (!strncmp(argv[i], "pg.kmsg=", 8))
			want_kmsg = atoi(argv[i] + 8);
		else if (!strncmp(argv[i], "pg.steps=", 9))
			steps = argv[i] + 9;
		else if (!strncmp(argv[i], "pg.run=", 7))
			run = argv[i] + 7;
		else if (!strncmp(argv[i], "pg.kmemleak=", 12))
			want_kmemleak = atoi(argv[i] + 12);
	}

	mnt("proc", "/proc", "proc");
	mnt("sysfs", "/sys", "sysfs");
	mnt("debugfs", DEBUGFS, "debugfs");
	mnt("devtmpfs", "/dev", "devtmpfs");

	/* The end of boot drains the graph: nothing may be running now. */
	dump_file_as(PG_DIR "/stats", "/init/stats-at-start");

	snap_a = malloc(MAX_SNAPSHOT);
	snap_b = malloc(MAX_SNAPSHOT);
	if (!snap_a || !snap_b) {
		printf("init: out of memory\n");
	} else {
		printf("=== probe-graph init ===\n");
		settle(settle_ms, timeout_s);
		if (steps)
			run_steps(steps, settle_ms, timeout_s);
		if (run)
			run_program(run);
		if (want_kmemleak)
			kmemleak_scan();
	}

	dump_dir(PG_DIR);
	dump_file(DEBUGFS "/devices_deferred");
	dump_dir(DEBUGFS "/probe_graph_test_device");
	if (want_kmsg)
		dump_kmsg_probes();
	dump_file("/proc/uptime");
	printf("=== probe-graph done ===\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
