/* SPDX-License-Identifier: MIT */
/* util.c - messages and whole-file reading. */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void errmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROGRAM_NAME ": %s\n", buf);
}

int read_file(const char *path, struct image *img)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(img, 0, sizeof(*img));
	img->path = path;
	if (fd < 0 || fstat(fd, &st) < 0) {
		errmsg("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		errmsg("%s: not a regular, non-empty file", path);
		close(fd);
		return -1;
	}
	uint8_t *buf = malloc((size_t)st.st_size);
	size_t done = 0;
	if (!buf)
		errmsg("%s: out of memory", path);
	while (buf && done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, (size_t)st.st_size - done);
		if (r <= 0) {
			errmsg("%s: read: %s", path, r ? strerror(errno) : "short file");
			free(buf);
			buf = NULL;
			break;
		}
		done += (size_t)r;
	}
	close(fd);
	if (!buf)
		return -1;
	img->data = buf;
	img->size = done;
	return 0;
}

void free_file(struct image *img)
{
	free((void *)img->data);
	img->data = NULL;
}
