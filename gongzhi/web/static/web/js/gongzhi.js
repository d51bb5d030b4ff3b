/* Gongzhi shell behaviour (no inline scripts: CSP script-src 'self'). */
