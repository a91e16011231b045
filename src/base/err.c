#include "err.h"

#include "buf.h"

#include <stdarg.h>

/* The only mutable global besides the log level and the fault spec (docs/style.md). */
static _Thread_local struct buf slot;

void err_set_message(const char *fmt, ...)
{
	va_list ap;
	buf_reset(&slot);
	va_start(ap, fmt);
	buf_vaddf(&slot, fmt, ap);
	va_end(ap);
}

void err_prefix_message(const char *fmt, ...)
{
	struct buf head = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&head, fmt, ap);
	va_end(ap);
	if (slot.len) {
		buf_adds(&head, ": ");
		buf_add(&head, slot.data, slot.len);
	}
	buf_free(&slot);
	slot = head;
}

const char *err_msg(void)
{
	return buf_str(&slot);
}

void err_clear(void)
{
	buf_free(&slot);
}

int err_exit_status(int code)
{
	switch (code) {
	case CDC_OK:
	case CDC_EDIFF:
	case CDC_EUSAGE:
	case CDC_ERUNTIME:
	case CDC_ELOCKED:
		return -code;
	default:
		return 3;
	}
}
