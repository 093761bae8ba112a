/* SPDX-License-Identifier: MIT */
/*
 * startup.c - launch-to-exit timing of VMM command lines, interleaved.
 *
 *   ckvm-bench-startup [-n RUNS] [-w WARMUP] [-s STATUS] [-p PAUSE_MS]
 *                      [--markdown] NAME 'COMMAND LINE' [NAME 'COMMAND LINE']...
 *
 * Each command line is split on blanks (no shell) and run RUNS times with
 * stdin, stdout and stderr on /dev/null; the time is taken from just before
 * posix_spawn() to waitpid()'s return. The commands are run in turn (A B A
 * B ...) rather than one after the other, so a change in machine load
 * affects all of them alike. A run whose exit status is not STATUS (default
 * 1, the demo guest's "success" through port 0xf4) is reported as a
 * failure and the whole benchmark fails: a fast failure is not a result.
 *
 * -p PAUSE_MS waits that long (untimed) before each run, so that whatever
 * the previous run left behind (e.g. a VM the kernel is still tearing down)
 * is finished and each run is a launch on a quiet machine.
 *
 * Output: per command median, min, max and mean in milliseconds, and the
 * ratio of each command's median (and min) to the first command's.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 8
#define MAX_ARGS 64

struct cmd {
	const char *name;
	const char *line;
	char *argv[MAX_ARGS + 1];
	double *ms;
	int failures;
	int last_status;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int split(char *line, char **argv)
{
	int n = 0;
	for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == MAX_ARGS)
			return -1;
		argv[n++] = tok;
	}
	argv[n] = NULL;
	return n;
}

/* One run: wall-clock ms, or a negative value if it could not be started. */
static double run_once(struct cmd *c, int *status)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int ws;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	double t0 = now_ms();
	int err = posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ);
	if (err) {
		posix_spawn_file_actions_destroy(&fa);
		fprintf(stderr, "%s: cannot run %s: %s\n", c->name, c->argv[0], strerror(err));
		return -1;
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	double t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: ckvm-bench-startup [-n RUNS] [-w WARMUP] [-s STATUS] [-p PAUSE_MS] "
			"[--markdown] NAME 'COMMAND' [NAME 'COMMAND']...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int ncmd = 0, runs = 50, warmup = 5, want = 1, pause_ms = 0, i = 1;
	int markdown = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			warmup = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			want = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-p") && i + 1 < argc)
			pause_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--markdown"))
			markdown = 1;
		else
			usage();
	}
	if (runs < 1 || warmup < 0 || (argc - i) < 2 || (argc - i) % 2)
		usage();
	for (; i + 1 < argc; i += 2) {
		struct cmd *c = &cmds[ncmd];
		if (ncmd == MAX_CMDS)
			usage();
		memset(c, 0, sizeof(*c));
		c->name = argv[i];
		c->line = argv[i + 1];
		char *copy = strdup(argv[i + 1]);
		c->ms = calloc((size_t)runs, sizeof(double));
		if (!copy || !c->ms || split(copy, c->argv) < 1)
			usage();
		ncmd++;
	}

	for (int r = -warmup; r < runs; r++) {
		for (int k = 0; k < ncmd; k++) {
			int st = -1;
			if (pause_ms > 0)
				usleep((useconds_t)pause_ms * 1000);
			double ms = run_once(&cmds[k], &st);
			if (ms < 0)
				return 1;
			if (st != want)
				cmds[k].failures++, cmds[k].last_status = st;
			if (r >= 0)
				cmds[k].ms[r] = ms;
		}
	}

	double base_med = 0, base_min = 0;
	int bad = 0;
	if (markdown)
		printf("| command | median ms | min ms | max ms | mean ms | median ratio | min ratio |\n"
		       "|---|---:|---:|---:|---:|---:|---:|\n");
	for (int k = 0; k < ncmd; k++) {
		struct cmd *c = &cmds[k];
		double sum = 0;
		qsort(c->ms, (size_t)runs, sizeof(double), cmp_double);
		for (int r = 0; r < runs; r++)
			sum += c->ms[r];
		double med = runs % 2 ? c->ms[runs / 2] : (c->ms[runs / 2 - 1] + c->ms[runs / 2]) / 2;
		double min = c->ms[0], max = c->ms[runs - 1], mean = sum / runs;
		if (k == 0)
			base_med = med, base_min = min;
		if (markdown)
			printf("| %s | %.2f | %.2f | %.2f | %.2f | %.1fx | %.1fx |\n", c->name, med, min,
			       max, mean, med / base_med, min / base_min);
		else
			printf("%-24s median %8.2f ms  min %8.2f  max %8.2f  mean %8.2f  "
			       "ratio to %s: median %.1fx, min %.1fx\n", c->name, med, min, max, mean,
			       cmds[0].name, med / base_med, min / base_min);
		if (c->failures) {
			fprintf(stderr, "%s: %d of %d runs exited with status %d, not %d\n", c->name,
				c->failures, runs + warmup, c->last_status, want);
			bad = 1;
		}
	}
	printf("(%d runs each after %d warm-up runs, interleaved, %d ms pause before each; "
	       "expected exit status %d)\n", runs, warmup, pause_ms, want);
	return bad;
}
