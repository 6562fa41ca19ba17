/*-------------------------------------------------------------------------
 * information_schema.h
 *   information_schema.tables and .columns: system views found only under
 *   their schema's name (a table of the database may be called "tables").
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string_view>
#include <vector>

#include "engine/sql/system_views.h"

namespace minipg::sql {

/* The schema's views (FindSystemViewByOid finds them too). */
const std::vector<SystemView>& InformationSchemaViews();
/* information_schema.`name`, or nullptr. */
const SystemView* FindInformationSchemaView(std::string_view name);

}  // namespace minipg::sql
