// Quoting for the two non-SQL syntaxes the lab writes (SQL uses pg's escapeLiteral / escapeIdentifier):
// postgresql.conf values (pg's escapeLiteral may emit E'...', which the file parser refuses) and libpq
// conninfo values (a lab dir with a space or quote in its path must still work).
export const confString = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

export const conninfoValue = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
