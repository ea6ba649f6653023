// SPDX-License-Identifier: GPL-2.0
/*
 * icount.so: a QEMU TCG plugin that counts the guest instructions executed
 * between two markers the guest itself executes, per vCPU, split into user
 * and kernel, and (profile=FILE) per kernel translation block, so that a
 * script can attribute them to functions and to the taskstate module
 * against the guest's /proc/kallsyms and /proc/modules.
 *
 * A marker is the 7-byte no-op "nopl 0x4b5453NN(%rax)" (0f 1f 80 NN 53 54
 * 4b): recognised when translated, it costs nothing to read and touches no
 * register.  NN = 01 snapshots the counters; NN = 02 appends to out=FILE
 * one line per vCPU with what ran since the last snapshot:
 *   window=K vcpu=V user=U kernel=K total=T
 * and, with profile=FILE, one line per kernel block that ran:
 *   K 0xADDRESS INSTRUCTIONS
 * Windows are numbered from 1 in the order the stop markers run; the guest
 * keeps its own list of what each window was.
 *
 * Counting is per block, at block entry (a block cut short by an exception
 * counts whole): deterministic under -icount, which is what the benchmark
 * needs.  Run with -icount shift=3,sleep=off and one vCPU for counts that
 * repeat (see bench/README.md).
 *
 * Plugin arguments: out=FILE (required), profile=FILE (optional).
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 64
#define KERNEL_START 0xffff800000000000ULL

enum { CLS_USER, CLS_KERNEL, NCLS };

struct block {
	uint64_t vaddr;
	uint64_t execs;		/* entries since the plugin started */
	uint64_t base;		/* execs at the last snapshot */
	unsigned int n;		/* instructions */
	int cls;
};

static uint64_t counts[MAX_VCPUS][NCLS];
static uint64_t snap[MAX_VCPUS][NCLS];
static GHashTable *blocks;	/* (vaddr, n) -> struct block */
static FILE *out, *profile;
static unsigned long window;
static GMutex lock;

static guint block_hash(gconstpointer p)
{
	const struct block *b = p;

	return g_int64_hash(&b->vaddr) ^ b->n;
}

static gboolean block_equal(gconstpointer a, gconstpointer b)
{
	const struct block *x = a, *y = b;

	return x->vaddr == y->vaddr && x->n == y->n;
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (vcpu < MAX_VCPUS)
		counts[vcpu][b->cls] += b->n;
	b->execs++;
}

static void rebase(gpointer key, gpointer value, gpointer udata)
{
	struct block *b = value;

	(void)key;
	(void)udata;
	b->base = b->execs;
}

static void dump(gpointer key, gpointer value, gpointer udata)
{
	struct block *b = value;

	(void)key;
	(void)udata;
	if (b->cls == CLS_KERNEL && b->execs != b->base)
		fprintf(profile, "%lu 0x%" PRIx64 " %" PRIu64 "\n", window,
			b->vaddr, (b->execs - b->base) * b->n);
}

static void marker(unsigned int vcpu, void *udata)
{
	unsigned int code = (unsigned int)(uintptr_t)udata;
	int v, c;

	(void)vcpu;
	g_mutex_lock(&lock);
	if (code == 1) {
		memcpy(snap, counts, sizeof(snap));
		if (profile)
			g_hash_table_foreach(blocks, rebase, NULL);
	} else if (code == 2) {
		window++;
		for (v = 0; v < MAX_VCPUS; v++) {
			uint64_t d[NCLS], total = 0;

			for (c = 0; c < NCLS; c++) {
				d[c] = counts[v][c] - snap[v][c];
				total += d[c];
			}
			if (!total && v)
				continue;
			fprintf(out, "window=%lu vcpu=%d user=%" PRIu64
				" kernel=%" PRIu64 " total=%" PRIu64 "\n",
				window, v, d[CLS_USER], d[CLS_KERNEL], total);
		}
		fflush(out);
		if (profile) {
			g_hash_table_foreach(blocks, dump, NULL);
			fflush(profile);
		}
	}
	g_mutex_unlock(&lock);
}

/* nopl 0x4b5453NN(%rax): 0f 1f 80 NN 53 54 4b */
static int marker_code(struct qemu_plugin_insn *insn)
{
	const uint8_t *p = qemu_plugin_insn_data(insn);

	if (qemu_plugin_insn_size(insn) != 7)
		return 0;
	if (p[0] != 0x0f || p[1] != 0x1f || p[2] != 0x80 ||
	    p[4] != 0x53 || p[5] != 0x54 || p[6] != 0x4b)
		return 0;
	return p[3];
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block key, *b;
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	key.vaddr = qemu_plugin_tb_vaddr(tb);
	key.n = n;
	g_mutex_lock(&lock);
	b = g_hash_table_lookup(blocks, &key);
	if (!b) {
		b = g_new0(struct block, 1);
		b->vaddr = key.vaddr;
		b->n = n;
		b->cls = key.vaddr >= KERNEL_START ? CLS_KERNEL : CLS_USER;
		g_hash_table_add(blocks, b);
	}
	g_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec,
					     QEMU_PLUGIN_CB_NO_REGS, b);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int code = marker_code(insn);

		if (code == 1 || code == 2)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker,
					QEMU_PLUGIN_CB_NO_REGS,
					(void *)(uintptr_t)code);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	if (out)
		fclose(out);
	if (profile)
		fclose(profile);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out = fopen(argv[i] + 4, "a");
			if (!out) {
				perror(argv[i] + 4);
				return -1;
			}
		} else if (!strncmp(argv[i], "profile=", 8)) {
			profile = fopen(argv[i] + 8, "a");
			if (!profile) {
				perror(argv[i] + 8);
				return -1;
			}
		} else {
			fprintf(stderr, "icount: unknown argument '%s' (out=FILE, profile=FILE)\n",
				argv[i]);
			return -1;
		}
	}
	if (!out) {
		fprintf(stderr, "icount: out=FILE is required\n");
		return -1;
	}
	blocks = g_hash_table_new(block_hash, block_equal);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
