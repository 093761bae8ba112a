/* SPDX-License-Identifier: MIT */
/*
 * dev_uart.c - a 16550A UART (the PC's COM1 at 0x3f8, IRQ 4).
 *
 * Transmit: a byte written to THR goes straight to the output fd, so the
 * transmitter is always empty (LSR reports THRE and TEMT) and a polling
 * guest never waits. Receive: the main thread feeds stdin into a FIFO.
 *
 * Interrupts go through KVM's in-kernel irqchip (PIC + IOAPIC) with
 * KVM_IRQ_LINE: the line is high while an enabled interrupt is pending and
 * low otherwise, so each new interrupt is a fresh edge. Interrupts are what
 * lets Linux's 8250 driver drain its transmit queue: after printk's early
 * polling console, user space output (busybox on /dev/console) waits for
 * the "THR empty" interrupt before sending the next byte.
 *
 * Coalesced transmit. Every guest access to a UART register is a VM exit,
 * and on a host where exits are expensive (tens of microseconds each here)
 * a guest that prints spends most of its time in exits for THR writes.
 * KVM can instead append writes to a port to its "coalesced ring" (one
 * page shared with us) and carry on without exiting. ckvm-run does that for
 * the THR port (base + 0) while the guest polls the UART, and applies the
 * queued writes (uart_flush) after every exit, before it handles that exit,
 * and a few times a second from the monitor thread. That keeps the effect
 * of every register access in program order, as the guest would see it:
 *   - only writes are queued; reads of base + 0 (RBR, or DLL with DLAB set)
 *     still exit, and so does every access to the other registers;
 *   - the same port is the divisor latch (DLL) while LCR.DLAB is set. LCR
 *     can only change through an exit, and the ring is applied before that
 *     exit, so each queued write meets the LCR value it was written under;
 *   - LSR always says "transmitter empty": writes still in the ring are
 *     applied before an LSR read (an exit) is answered;
 *   - a guest that waits for the "THR empty" interrupt (IER.THRI, as Linux's
 *     8250 driver does once it is up) needs that interrupt right after each
 *     write, and a queued write raises nothing. So the first time the guest
 *     enables THRI, ckvm-run unregisters the port for good and every THR
 *     write exits again.
 * A full ring makes KVM fall back to an ordinary exit, which is applied
 * after the ring, in order.
 *
 * Not modelled: baud rate timing, line errors, break, modem lines beyond
 * the loopback bits the Linux driver's probe looks at.
 */
#include "vmm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Register offsets. */
#define UART_RX  0 /* read: receive buffer; write: transmit holding (THR) */
#define UART_IER 1 /* interrupt enable */
#define UART_IIR 2 /* read: interrupt identification; write: FIFO control (FCR) */
#define UART_LCR 3 /* line control; bit 7 = DLAB (ports 0/1 become the divisor) */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define IER_RDI  0x01 /* received data available */
#define IER_THRI 0x02 /* transmit holding register empty */
#define IIR_NO_INT 0x01
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_FIFO_ENABLED 0xc0
#define FCR_ENABLE_FIFO 0x01
#define FCR_CLEAR_RX    0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_DCD 0x80

#define RX_FIFO 1024
#define TX_BUF 256

struct uart {
	struct vmm *vmm;
	pthread_mutex_t lock;
	uint16_t base;
	uint32_t irq;
	int out_fd;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thr_pending;   /* "THR empty" interrupt pending (cleared by reading IIR) */
	bool irq_level;
	uint8_t rx[RX_FIFO];
	size_t rx_head, rx_count;
	uint8_t tx[TX_BUF];       /* output not yet written to out_fd */
	size_t tx_len;
	/* Coalesced THR writes (see the top of the file). */
	struct ckvm_vcpu *ring_vcpu; /* the vCPU through which we read the VM's ring */
	atomic_bool coalescing;      /* THR writes are (or may still be) queued */
	atomic_ulong queued;         /* THR writes taken from the ring, for --trace-exits */
};

/* Highest-priority pending interrupt, as IIR reports it. */
static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE_FIFO) ? IIR_FIFO_ENABLED : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

/* Bring the IRQ line in line with IIR. Called with u->lock held. */
static void uart_update_irq(struct uart *u)
{
	bool level = !(uart_iir(u) & IIR_NO_INT);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	int err = ckvm_vm_set_irq_line(u->vmm->vm, u->irq, level);
	if (err < 0)
		vmm_stop(u->vmm, EXIT_HOST, "uart: KVM_IRQ_LINE failed: %s", strerror(-err));
}

/* Write out what uart_transmit collected. Called with u->lock held. */
static void uart_tx_flush(struct uart *u)
{
	size_t done = 0;

	while (done < u->tx_len) {
		ssize_t n = write(u->out_fd, u->tx + done, u->tx_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* output closed or broken: the byte is lost, as on a real line */
		done += (size_t)n;
	}
	u->tx_len = 0;
}

static void uart_transmit(struct uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) { /* loopback: the byte comes back as input */
		if (u->rx_count < RX_FIFO) {
			u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = c;
			u->rx_count++;
		}
		return;
	}
	if (u->tx_len == TX_BUF)
		uart_tx_flush(u);
	u->tx[u->tx_len++] = c; /* written at the end of this exit or ring batch */
}

static void uart_write(struct uart *u, unsigned reg, uint8_t v);

/* Apply the THR writes queued in KVM's coalesced ring. u->lock held. */
static void uart_drain_ring(struct uart *u)
{
	struct kvm_coalesced_mmio e;

	while (ckvm_vcpu_coalesced_mmio_read(u->ring_vcpu, &e) == 1) {
		if (e.pio && e.phys_addr == u->base && e.len >= 1) {
			uart_write(u, UART_RX, e.data[0]);
			atomic_fetch_add_explicit(&u->queued, 1, memory_order_relaxed);
		}
	}
}

/*
 * The guest has enabled the "THR empty" interrupt: from now on each THR
 * write must exit so the interrupt follows it at once. Unregister the
 * port, then apply what was queued before. u->lock held.
 */
static void uart_stop_coalescing(struct uart *u)
{
	int err = ckvm_vm_unregister_coalesced_mmio(u->vmm->vm, CKVM_IO_PIO, u->base, 1);

	if (err < 0) {
		vmm_stop(u->vmm, EXIT_HOST, "uart: KVM_UNREGISTER_COALESCED_MMIO failed: %s",
			 strerror(-err));
		return;
	}
	/* KVM has stopped queueing (the port is off its bus): empty the ring. */
	uart_drain_ring(u);
	atomic_store(&u->coalescing, false);
}

static uint8_t uart_read(struct uart *u, unsigned reg)
{
	uint8_t v = 0;

	switch (reg) {
	case UART_RX:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % RX_FIFO;
			u->rx_count--;
		}
		return v;
	case UART_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		if ((v & 0x0f) == IIR_THRI) /* reading IIR acknowledges "THR empty" */
			u->thr_pending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case UART_MSR:
		if (u->mcr & MCR_LOOP) /* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
			return (uint8_t)(((u->mcr & 0x01) << 5) | ((u->mcr & 0x02) << 3) |
					 ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
		return MSR_DCD | MSR_DSR | MSR_CTS;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_RX:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			return;
		}
		uart_transmit(u, v);
		u->thr_pending = true; /* sent at once: THR is empty again */
		return;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* Enabling THRI while THR is empty raises the interrupt at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_pending = true;
		if ((v & IER_THRI) && atomic_load(&u->coalescing))
			uart_stop_coalescing(u);
		u->ier = v & 0x0f;
		return;
	case UART_IIR: /* FCR */
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		u->fcr = v;
		return;
	case UART_LCR:
		u->lcr = v;
		return;
	case UART_MCR:
		u->mcr = v & 0x1f;
		return;
	case UART_SCR:
		u->scr = v;
		return;
	default: /* LSR, MSR: read-only */
		return;
	}
}

static void uart_pio(void *opaque, uint16_t port, bool is_write, uint8_t *data, uint8_t size)
{
	struct uart *u = opaque;
	unsigned reg = (unsigned)(port - u->base);

	pthread_mutex_lock(&u->lock);
	if (is_write)
		uart_write(u, reg, data[0]);
	else
		memset(data, 0, size), data[0] = uart_read(u, reg);
	uart_tx_flush(u);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_flush(struct uart *u)
{
	if (!u || !atomic_load_explicit(&u->coalescing, memory_order_relaxed))
		return; /* nothing is ever queued: no lock, nothing to do */
	pthread_mutex_lock(&u->lock);
	if (atomic_load(&u->coalescing)) {
		uart_drain_ring(u);
		uart_tx_flush(u);
		uart_update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
}

bool uart_coalescing(struct uart *u)
{
	return u && atomic_load(&u->coalescing);
}

unsigned long uart_queued_writes(struct uart *u)
{
	return u ? atomic_load(&u->queued) : 0;
}

int uart_start_coalescing(struct uart *u, struct ckvm_vcpu *vcpu)
{
	int err;

	if (ckvm_has_extension(u->vmm->kvm, KVM_CAP_COALESCED_PIO) <= 0)
		return 0; /* every THR write exits, as before */
	err = ckvm_vcpu_map_coalesced_mmio_ring(vcpu);
	if (err < 0)
		return err;
	err = ckvm_vm_register_coalesced_mmio(u->vmm->vm, CKVM_IO_PIO, u->base, 1);
	if (err < 0)
		return err;
	u->ring_vcpu = vcpu;
	atomic_store(&u->coalescing, true);
	return 0;
}

size_t uart_rx_space(struct uart *u)
{
	pthread_mutex_lock(&u->lock);
	size_t n = RX_FIFO - u->rx_count;
	pthread_mutex_unlock(&u->lock);
	return n;
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	pthread_mutex_lock(&u->lock);
	while (done < n && u->rx_count < RX_FIFO) {
		u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = buf[done++];
		u->rx_count++;
	}
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return done;
}

struct uart *uart_create(struct vmm *vmm, uint16_t base, uint32_t irq, int out_fd)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->vmm = vmm;
	u->base = base;
	u->irq = irq;
	u->out_fd = out_fd;
	u->lcr = 0x03; /* 8N1 */
	u->mcr = 0x08; /* OUT2 */
	atomic_init(&u->coalescing, false);
	atomic_init(&u->queued, 0);
	pthread_mutex_init(&u->lock, NULL);
	if (iobus_register(&vmm->io, base, 8, uart_pio, u, "uart") < 0) {
		free(u);
		return NULL;
	}
	return u;
}

void uart_destroy(struct uart *u)
{
	if (!u)
		return;
	pthread_mutex_destroy(&u->lock);
	free(u);
}
