SELECT 1 -- comment
/* block /* nested */ comment */ + 2;