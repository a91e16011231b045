/* The option tables of the commands (cmd.h): one declaration per option
 * gives its parsing, its place in the usage line, and its lines in --help
 * and the man page. */
#include "buf.h"
#include "codec.h"
#include "cmd.h"
#include "err.h"

#include <stddef.h>
#include <string.h>

static const struct cmd_opt *find_opt(const struct cmd_opt *opts, const char *name, size_t n)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == n && strncmp(opts->name, name, n) == 0)
			return opts;
	return NULL;
}

/* Stores value (NULL for a flag) into the field opt names in args. */
static int store(const char *cmd, const struct cmd_opt *opt, void *args, const char *value)
{
	char *field = (char *)args + opt->offset;
	switch (opt->type) {
	case OPT_FLAG: {
		bool *flag = (bool *)(void *)field;
		int rc = cmd_once(cmd, opt->name, *flag);
		if (!rc)
			*flag = true;
		return rc;
	}
	case OPT_VALUE: {
		const char **slot = (const char **)(void *)field;
		int rc = cmd_once(cmd, opt->name, *slot != NULL);
		if (!rc)
			*slot = value;
		return rc;
	}
	case OPT_LIST:
		strv_push((struct strv *)(void *)field, value);
		return 0;
	}
	return 0;
}

/* One option at argv[*i] ("--name", "--name=value" or "--name value"). */
static int parse_opt(const struct cmd_entry *c, int argc, char **argv, int *i, void *args)
{
	const char *a = argv[*i];
	const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
	size_t n = eq ? (size_t)(eq - a) : strlen(a);
	const struct cmd_opt *opt = find_opt(c->opts, a, n);
	if (!opt)
		return cmd_bad_arg(c->name, a);
	if (opt->type == OPT_FLAG) {
		if (eq)
			return err_set(CDC_EUSAGE, "%s %s: takes no value (given '%s')", c->name,
				       opt->name, NAME_SHOWN_SHORT(eq + 1));
		return store(c->name, opt, args, NULL);
	}
	const char *value = eq ? eq + 1 : *i + 1 < argc ? argv[*i + 1] : NULL;
	/* "--every --max-batches 1": the next option is not this one's value. */
	if (!eq && value && find_opt(c->opts, value, strcspn(value, "=")))
		value = NULL;
	if (!value)
		return err_set(CDC_EUSAGE, "%s %s: needs a value; see 'cdcpack %s --help'", c->name,
			       opt->name, c->name);
	if (!eq)
		++*i;
	return store(c->name, opt, args, value);
}

static int check_required(const struct cmd_entry *c, const void *args)
{
	for (const struct cmd_opt *o = c->opts; o && o->name; o++) {
		const char *const *slot =
			(const char *const *)(const void *)((const char *)args + o->offset);
		if (o->required && o->type == OPT_VALUE && !*slot)
			return err_set(CDC_EUSAGE, "%s: %s %s is required; see 'cdcpack %s --help'",
				       c->name, o->name, o->arg, c->name);
	}
	return 0;
}

int cmd_parse(const struct cmd_entry *c, int argc, char **argv, void *args, struct strv *positional)
{
	bool options_end = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc = 0;
		if (!options_end && strcmp(a, "--") == 0)
			options_end = true;
		else if (!options_end && a[0] == '-' && a[1])
			rc = parse_opt(c, argc, argv, &i, args);
		else if (positional)
			strv_push(positional, a);
		else
			rc = cmd_bad_arg(c->name, a);
		if (rc)
			return rc;
	}
	return check_required(c, args);
}

/* " [--name ARG]", " --name ARG" when required, "..." after a list. */
static void add_opt_synopsis(struct buf *b, const struct cmd_opt *o)
{
	buf_adds(b, o->required ? " " : " [");
	buf_adds(b, o->name);
	if (o->arg) {
		buf_addc(b, ' ');
		buf_adds(b, o->arg);
	}
	buf_adds(b, o->required ? "" : "]");
	if (o->type == OPT_LIST)
		buf_adds(b, "...");
}

/* Appends item, first breaking the line (indented by indent) when it
 * would pass width; an item's leading space goes at the start of a line. */
static void add_wrapped(struct buf *out, const char *item, size_t width, size_t indent)
{
	const char *nl = out->len ? memrchr(out->data, '\n', out->len) : NULL;
	size_t line = nl ? out->len - (size_t)(nl + 1 - out->data) : out->len;
	if (line + strlen(item) > width) {
		buf_addf(out, "\n%*s", (int)indent, "");
		item += *item == ' ';
	}
	buf_adds(out, item);
}

void cmd_usage(const struct cmd_entry *c, struct buf *out, size_t width, size_t indent)
{
	const char *args = c->args ? c->args : "";
	buf_adds(out, args);
	for (const struct cmd_opt *o = c->opts; o && o->name; o++) {
		struct buf item = {0};
		add_opt_synopsis(&item, o);
		/* each synopsis starts with a space: not first on the line */
		add_wrapped(out, item.data + (*args || o != c->opts ? 0 : 1), width, indent);
		buf_free(&item);
	}
}

/* Options' help column: names up to this wide share it; longer ones put
 * their text on the next line. */
#define HELP_COLUMN 22

void cmd_options_help(const struct cmd_entry *c, struct buf *out)
{
	for (const struct cmd_opt *o = c->opts; o && o->name; o++) {
		size_t start = out->len;
		buf_addf(out, "  %s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		size_t width = out->len - start;
		if (width + 2 > HELP_COLUMN)
			buf_addf(out, "\n%*s", HELP_COLUMN, "");
		else
			buf_addf(out, "%*s", (int)(HELP_COLUMN - width), "");
		for (const char *p = o->help; *p; p++) {
			buf_addc(out, *p);
			if (*p == '\n' && p[1])
				buf_addf(out, "%*s", HELP_COLUMN, "");
		}
		buf_addc(out, '\n');
	}
}
