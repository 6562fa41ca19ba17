/*-------------------------------------------------------------------------
 * parse_alter.cpp
 *   The grammar of ALTER TABLE (PostgreSQL's gram.y AlterTableStmt and
 *   RenameStmt):
 *
 *     ALTER TABLE [IF EXISTS] [ONLY] t [*] action [, ...]
 *       ADD [COLUMN] [IF NOT EXISTS] column type [constraints]
 *       ADD [CONSTRAINT name] PRIMARY KEY | UNIQUE | CHECK | FOREIGN KEY ... [NOT VALID]
 *       DROP [COLUMN] [IF EXISTS] column [RESTRICT | CASCADE]
 *       DROP CONSTRAINT [IF EXISTS] name [RESTRICT | CASCADE]
 *       VALIDATE CONSTRAINT name
 *       ALTER [COLUMN] column SET DEFAULT expr | DROP DEFAULT
 *                           | SET NOT NULL | DROP NOT NULL
 *     ALTER TABLE [IF EXISTS] t RENAME TO new_name
 *     ALTER TABLE [IF EXISTS] t RENAME [COLUMN] a TO b
 *     ALTER TABLE [IF EXISTS] t RENAME CONSTRAINT a TO b
 *
 * NOTES
 *   Any other action (ALTER COLUMN ... TYPE, SET (fillfactor ...), OWNER
 *   TO, ...) parses as AlterTableStmt::unsupported, which the analyzer
 *   refuses with 0A000 naming it.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

using CmdKind = AlterTableCmd::Kind;

Result<StatementPtr> Parser::ParseAlterTable() {
  AlterTableStmt alter;
  if (IsKeyword("if") && IsKeyword("exists", 1)) {
    pos_ += 2;
    alter.if_exists = true;
  }
  AcceptKeyword("only");
  auto table = ParseQualifiedTableName();
  if (!table.ok()) return table.error();
  alter.table = std::move(*table);
  if (IsOp("*")) ++pos_;  // t *: the table and its children (minipg has no inheritance)
  if (AcceptKeyword("rename")) {
    AlterTableCmd cmd;
    cmd.location = Peek().position;
    if (AcceptKeyword("to")) {
      cmd.kind = CmdKind::kRenameTable;
    } else {
      cmd.kind = AcceptKeyword("constraint") ? CmdKind::kRenameConstraint : CmdKind::kRenameColumn;
      if (cmd.kind == CmdKind::kRenameColumn) AcceptKeyword("column");
      auto name = ParseName();
      if (!name.ok()) return name.error();
      cmd.name = *name;
      if (Status s = ExpectKeyword("to"); !s.ok()) return s.error();
    }
    auto new_name = ParseName();
    if (!new_name.ok()) return new_name.error();
    cmd.new_name = *new_name;
    alter.cmds.push_back(std::move(cmd));
    return Make(std::move(alter));
  }
  do {
    auto cmd = ParseAlterTableCmd(alter);
    if (!cmd.ok()) return cmd.error();
    if (!alter.unsupported.empty()) {
      SkipStatement();
      break;
    }
    alter.cmds.push_back(std::move(*cmd));
  } while (AcceptPunct(","));
  return Make(std::move(alter));
}

Result<AlterTableCmd> Parser::ParseAlterTableCmd(AlterTableStmt& alter) {
  AlterTableCmd cmd;
  cmd.location = Peek().position;
  auto unsupported = [&](std::string what) {
    alter.unsupported = std::move(what);
    return Result<AlterTableCmd>(std::move(cmd));
  };
  if (AcceptKeyword("add")) {
    if (auto con = ParseConstraint(false)) {
      if (!con->ok()) return con->error();
      cmd.kind = CmdKind::kAddConstraint;
      cmd.constraint = std::move(**con);
      return cmd;
    }
    cmd.kind = CmdKind::kAddColumn;
    AcceptKeyword("column");
    if (IsKeyword("if") && IsKeyword("not", 1) && IsKeyword("exists", 2)) {
      pos_ += 3;
      cmd.missing_ok = true;
    }
    auto column = ParseColumnDefinition();
    if (!column.ok()) return column.error();
    cmd.column = std::move(*column);
    return cmd;
  }
  if (AcceptKeyword("drop")) {
    cmd.kind = AcceptKeyword("constraint") ? CmdKind::kDropConstraint : CmdKind::kDropColumn;
    if (cmd.kind == CmdKind::kDropColumn) AcceptKeyword("column");
    if (IsKeyword("if") && IsKeyword("exists", 1)) {
      pos_ += 2;
      cmd.missing_ok = true;
    }
    auto name = ParseName();
    if (!name.ok()) return name.error();
    cmd.name = *name;
    if (AcceptKeyword("cascade")) {
      cmd.cascade = true;
    } else {
      AcceptKeyword("restrict");
    }
    return cmd;
  }
  if (AcceptKeyword("alter")) {
    AcceptKeyword("column");
    auto name = ParseName();
    if (!name.ok()) return name.error();
    cmd.name = *name;
    if (AcceptKeyword("set")) {
      if (AcceptKeyword("default")) {
        cmd.kind = CmdKind::kSetDefault;
        auto e = ParseConcat();  // b_expr, as in CREATE TABLE's DEFAULT
        if (!e.ok()) return e.error();
        cmd.expr = std::move(*e);
        return cmd;
      }
      if (AcceptKeyword("not")) {
        if (Status s = ExpectKeyword("null"); !s.ok()) return s.error();
        cmd.kind = CmdKind::kSetNotNull;
        return cmd;
      }
      if (IsKeyword("data")) return unsupported("ALTER TABLE ... ALTER COLUMN ... SET DATA TYPE");
      return unsupported("ALTER TABLE ... ALTER COLUMN ... SET " + Peek().text);
    }
    if (AcceptKeyword("drop")) {
      if (AcceptKeyword("default")) {
        cmd.kind = CmdKind::kDropDefault;
        return cmd;
      }
      if (AcceptKeyword("not")) {
        if (Status s = ExpectKeyword("null"); !s.ok()) return s.error();
        cmd.kind = CmdKind::kDropNotNull;
        return cmd;
      }
      return unsupported("ALTER TABLE ... ALTER COLUMN ... DROP " + Peek().text);
    }
    if (IsKeyword("type")) return unsupported("ALTER TABLE ... ALTER COLUMN ... TYPE");
    return SyntaxError();
  }
  if (AcceptKeyword("validate")) {
    if (Status s = ExpectKeyword("constraint"); !s.ok()) return s.error();
    auto name = ParseName();
    if (!name.ok()) return name.error();
    cmd.kind = CmdKind::kValidateConstraint;
    cmd.name = *name;
    return cmd;
  }
  if (Peek().kind == TokenKind::kIdent) return unsupported("ALTER TABLE ... " + Peek().text);
  return SyntaxError();
}

}  // namespace minipg::sql::parser_internal
