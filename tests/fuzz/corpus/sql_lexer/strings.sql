SELECT 'it''s', '', 'multi
line', E'esc\n', $$dollar$$