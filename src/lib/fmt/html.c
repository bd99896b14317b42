/* The parts every HTML page of procnotify shares: see procnotify/html.h. */
#include "fmt_internal.h"
#include "procnotify/html.h"

/*
 * default-src 'none': no fetch, image, font, frame or connection of any
 * kind, so the page works from file:// and leaks nothing. Scripts run only
 * when their hash is the page's own; styles are inline (a <style> and the
 * properties the script sets).
 */
void pn__html_head(pn_buf *b, const char *title, const char *style, const char *script_hash)
{
	pn_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		       "style-src 'unsafe-inline'; script-src ");
	if (script_hash)
		pn_buf_printf(b, "'%s'", script_hash);
	else
		pn_buf_puts(b, "'none'");
	pn_buf_puts(b, "\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	pn__esc_html(b, title, strlen(title));
	pn_buf_puts(b, "</title>\n<style>");
	pn_buf_puts(b, style);
	pn_buf_puts(b, "</style></head>\n<body>\n");
}

void pn__html_tail(pn_buf *b)
{
	pn_buf_puts(b, "</body></html>\n");
}
