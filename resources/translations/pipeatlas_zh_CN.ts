<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name />
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="172" />
        <source>Structural</source>
        <translation>结构性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="172" />
        <source>Functional</source>
        <translation>功能性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="186" />
        <source>Structural defect</source>
        <translation>结构性缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="186" />
        <source>Functional defect</source>
        <translation>功能性缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="203" />
        <source>Defect (no grade)</source>
        <translation>缺陷（未定级）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="237" />
        <source>Condition: structural grade</source>
        <translation>管道状况：结构性等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="239" />
        <source>Condition: functional grade</source>
        <translation>管道状况：功能性等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/condition_map.py" line="265" />
        <source>Defects</source>
        <translation>缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="32" />
        <source>Import inspection table</source>
        <translation>导入检测表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="34" />
        <source>Inspection tables (*.xlsx *.csv *.txt *.tsv)</source>
        <translation>检测表 (*.xlsx *.csv *.txt *.tsv)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="93" />
        <source>Grade report</source>
        <translation>等级评定报告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="95" />
        <source>Excel workbook (*.xlsx);;PDF (*.pdf)</source>
        <translation>Excel 工作簿 (*.xlsx);;PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="102" />
        <source>Writing grade report</source>
        <translation>正在写入等级评定报告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="107" />
        <source>Report written: %1</source>
        <translation>报告已写入：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="122" />
        <source>Grading segments and writing %1</source>
        <translation>正在评定管段等级并写入 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="135" />
        <source>Export ledger</source>
        <translation>导出问题台账</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="137" />
        <location filename="../../gisapp/qt/survey_files.py" line="152" />
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_files.py" line="150" />
        <source>Import ledger</source>
        <translation>导入问题台账</translation>
    </message>
</context>
<context>
    <name>AcceptanceDock</name>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="89" />
        <source>Zero-direct-discharge acceptance</source>
        <translation>污水零直排区验收</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="120" />
        <source>Load checklist pack…</source>
        <translation>加载评分包…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="130" />
        <source>Checklist</source>
        <translation>评分表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="131" />
        <source>Survey (source · network · plant)</source>
        <translation>调查表（源·网·厂）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="135" />
        <source>Score and keep</source>
        <translation>评分并保存</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="137" />
        <source>Keep the scores under the date and raise the lost points in the ledger</source>
        <translation>按评分日期保存得分，并将扣分项列入问题台账</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="140" />
        <source>Checklist (Excel)…</source>
        <translation>评分表（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="143" />
        <source>Survey (Excel)…</source>
        <translation>调查表（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="146" />
        <source>Summary report (Word)…</source>
        <translation>建设总结报告（Word）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="180" />
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="181" />
        <source>Points</source>
        <translation>分值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="183" />
        <source>Why</source>
        <translation>得分/扣分理由</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="197" />
        <source>Reason for the points lost</source>
        <translation>扣分理由</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="198" />
        <source>Set score</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="200" />
        <location filename="../../gisapp/qt/acceptance_dock.py" line="243" />
        <source>Attach evidence…</source>
        <translation>附佐证材料…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="209" />
        <source>Manual score</source>
        <translation>人工评分</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="211" />
        <source>Evidence</source>
        <translation>佐证材料</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="222" />
        <source>Part</source>
        <translation>部分</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="222" />
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="110" />
        <source>Assessment date</source>
        <translation>评分日期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="179" />
        <location filename="../../gisapp/qt/acceptance_dock.py" line="208" />
        <source>Checklist item</source>
        <translation>评分项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="182" />
        <source>Scoring method</source>
        <translation>评分方式</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="210" />
        <source>Reason for the score</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="222" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="222" />
        <source>Survey value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="239" />
        <source>Save answers</source>
        <translation>保存调查结果</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="282" />
        <source>Waiting for the network</source>
        <translation>等待管网构建</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="306" />
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="306" />
        <source>not passed</source>
        <translation>未通过</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="307" />
        <source> (pass mark {0})</source>
        <translation>（通过线 {0} 分）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="319" />
        <source> — PipeAtlas default, not an official checklist</source>
        <translation> —— PipeAtlas默认评分表，非官方评分细则</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="324" />
        <source>History: </source>
        <translation>得分历史：</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="326" />
        <source>No assessment kept yet.</source>
        <translation>尚无保存的评分。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="336" />
        <location filename="../../gisapp/qt/acceptance_dock.py" line="375" />
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="336" />
        <source>manual</source>
        <translation>人工</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="375" />
        <source>form</source>
        <translation>人工</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="409" />
        <source>Pick an item.</source>
        <translation>请选择评分项目。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="415" />
        <source>Evidence needed: </source>
        <translation>所需佐证材料：</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="461" />
        <source>Attach evidence</source>
        <translation>附佐证材料</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="463" />
        <source>Evidence ({0});;All files (*)</source>
        <translation>佐证材料 ({0});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="484" />
        <source>From the project: </source>
        <translation>项目数据：</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="503" />
        <source>project</source>
        <translation>项目数据</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="563" />
        <source>Kept {0}: {1} points; {2} problems raised, {3} closed in the ledger.</source>
        <translation>已保存 {0} 评分：{1} 分；问题台账新增 {2} 个，销号 {3} 个。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="586" />
        <location filename="../../gisapp/qt/acceptance_dock.py" line="597" />
        <location filename="../../gisapp/qt/acceptance_dock.py" line="609" />
        <source>Wrote {0}</source>
        <translation>已写出 {0}</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="589" />
        <source>Scored checklist</source>
        <translation>评分表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="600" />
        <source>Survey</source>
        <translation>调查表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="612" />
        <source>Summary report</source>
        <translation>建设总结报告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="627" />
        <source>Checklist pack</source>
        <translation>评分包</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="627" />
        <source>Checklist pack (*.json)</source>
        <translation>评分包 (*.json)</translation>
    </message>
</context>
<context>
    <name>AddOutfallDialog</name>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="281" />
        <source>Add outfall found in the field</source>
        <translation>新增现场发现的排污口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="294" />
        <source>Outfall code</source>
        <translation>排污口编号</translation>
    </message>
</context>
<context>
    <name>AttributeTableDock</name>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="356" />
        <source>Filter: words, or field=value (also != &gt; &lt; &gt;= &lt;= ~)</source>
        <translation>筛选：关键词，或 字段=值（也可用 != &gt; &lt; &gt;= &lt;= ~）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="360" />
        <source>Selected only</source>
        <translation>仅显示选中</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="362" />
        <source>Zoom to selected</source>
        <translation>缩放至选中要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="364" />
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="455" />
        <source>No field named “%1”. Fields: %2</source>
        <translation>没有名为“%1”的字段。现有字段：%2</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="524" />
        <source>Attributes: %1</source>
        <translation>属性表：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/attribute_table.py" line="526" />
        <source>%1 of %2 rows shown, %3 selected</source>
        <translation>显示 %1/%2 行，已选 %3 行</translation>
    </message>
</context>
<context>
    <name>BalanceDock</name>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="124" />
        <source>Pollutant balance</source>
        <translation>污染物平衡核算</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="132" />
        <source>Year</source>
        <translation>年度</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="138" />
        <source>Compute</source>
        <translation>核算</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="141" />
        <source>Export Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="152" />
        <source>Plant</source>
        <translation>污水处理厂</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="153" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="154" />
        <source>Produced COD (t/a)</source>
        <translation>COD产生量(t/a)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="155" />
        <source>Collected COD (t/a)</source>
        <translation>COD集中收集量(t/a)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="156" />
        <source>Removed COD (t/a)</source>
        <translation>COD削减量(t/a)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="157" />
        <source>Collection rate</source>
        <translation>集中收集率</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="158" />
        <source>Reduction rate</source>
        <translation>集中收集削减率</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="159" />
        <source>Capacity gap (t/d)</source>
        <translation>处理能力缺口(t/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="160" />
        <source>Flags</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="174" />
        <source>Draw on the map</source>
        <translation>在地图上绘制</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="178" />
        <source>Click the corners of the selected plant's service area on the map; double-click or right-click to finish, Esc to cancel</source>
        <translation>在地图上依次点击所选污水处理厂收集范围的拐点；双击或右键结束，Esc 取消</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="186" />
        <source>Service area from file…</source>
        <translation>从文件导入收集范围…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="189" />
        <source>Replace the selected plant's computed service area by a polygon drawn by hand</source>
        <translation>用人工绘制的多边形替换所选污水处理厂的管网推算收集范围</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="194" />
        <source>Back to the computed area</source>
        <translation>恢复管网推算范围</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="203" />
        <source>Data problems (not counted or not computed)</source>
        <translation>数据问题（未计入或无法核算）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="262" />
        <source>Open a project to make its pollutant balance.</source>
        <translation>打开项目后进行区域水污染物平衡核算。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="268" />
        <source>Unserved</source>
        <translation>未纳入</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="269" />
        <source>in no service area</source>
        <translation>不在任何收集范围内</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="284" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="299" />
        <source>{year}: collection rate {rate} (targets 80 % by 2025, 95 % by 2030); {n} service areas, {edited} drawn by hand.</source>
        <translation>{year} 年：集中收集率 {rate}（目标：2025 年 80%，2030 年 95%）；收集范围 {n} 个，其中人工绘制 {edited} 个。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="367" />
        <source>Service areas (collection rate)</source>
        <translation>收集范围（集中收集率）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="385" />
        <source>Edit service area of {plant}</source>
        <translation>修改 {plant} 的收集范围</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="387" />
        <source>Reset service area of {plant}</source>
        <translation>恢复 {plant} 的管网推算收集范围</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="401" />
        <location filename="../../gisapp/qt/balance_dock.py" line="476" />
        <location filename="../../gisapp/qt/balance_dock.py" line="495" />
        <source>Select a plant's row first.</source>
        <translation>请先选中一座污水处理厂所在的行。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="413" />
        <source>Drawing the service area of {plant}: click the corners, double-click or right-click to finish, Esc to cancel.</source>
        <translation>正在绘制 {plant} 的收集范围：依次点击拐点，双击或右键结束，Esc 取消。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="454" />
        <source>A service area needs at least three corners that enclose an area.</source>
        <translation>收集范围至少需要三个围成面积的拐点。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="459" />
        <source>drawn on the map</source>
        <translation>地图上绘制</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="467" />
        <source>Drawing cancelled.</source>
        <translation>已取消绘制。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="480" />
        <source>Service area of {plant}</source>
        <translation>{plant} 的收集范围</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="482" />
        <source>Polygon layers (*.geojson *.json *.shp *.gpkg *.kml)</source>
        <translation>多边形图层 (*.geojson *.json *.shp *.gpkg *.kml)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="512" />
        <source>Export the pollutant balance</source>
        <translation>导出区域水污染物平衡核算</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="514" />
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>ChecklistPanel</name>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="68" />
        <source>Dossier item</source>
        <translation>资料</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="68" />
        <location filename="../../gisapp/qt/dossier_checklist.py" line="122" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="68" />
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="68" />
        <location filename="../../gisapp/qt/dossier_checklist.py" line="107" />
        <source>Review</source>
        <translation>审核</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="90" />
        <source>Attach…</source>
        <translation>附加文件…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="91" />
        <source>Open file</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="92" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="94" />
        <source>Attach PDF, images, Word or Excel files to the selected item</source>
        <translation>为所选资料项附加 PDF、图片、Word 或 Excel 文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="97" />
        <source>Remove the selected files from the dossier (the files stay on disk)</source>
        <translation>从档案中移除所选文件（文件本身保留在磁盘上）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="110" />
        <source>Automatic (from the files)</source>
        <translation>自动（按附件判断）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="117" />
        <source>Save review</source>
        <translation>保存审核</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="124" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="126" />
        <source>Reviewer</source>
        <translation>审核人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="129" />
        <source>Note</source>
        <translation>审核意见</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="199" />
        <source>%1 (%2 missing)</source>
        <translation>%1（%2 个缺失）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="206" />
        <source>reviewed</source>
        <translation>已审核</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="212" />
        <source>%1 — file missing</source>
        <translation>%1 — 文件缺失</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="214" />
        <source>%1 — changed since attached</source>
        <translation>%1 — 附加后已被修改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="218" />
        <source>Made by PipeAtlas at export: %1</source>
        <translation>导出时由 PipeAtlas 生成：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_checklist.py" line="317" />
        <source>Not a date: write it as 2024-06-30.</source>
        <translation>不是有效日期：请写作 2024-06-30 或 2024年6月30日。</translation>
    </message>
</context>
<context>
    <name>ChecksDock</name>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="233" />
        <source>Checks</source>
        <translation>管网检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="264" />
        <source>Fix</source>
        <translation>修复</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="266" />
        <location filename="../../gisapp/qt/checks_dock.py" line="575" />
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="267" />
        <source>Zoom to the item and select its features</source>
        <translation>缩放至该项并选中其要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="294" />
        <source>Data hygiene</source>
        <translation>数据规范</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="295" />
        <source>Geometry</source>
        <translation>几何</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="296" />
        <source>Connectivity</source>
        <translation>连通性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="297" />
        <source>Flow direction</source>
        <translation>流向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="298" />
        <source>Semantics</source>
        <translation>语义</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="299" />
        <source>Attachment</source>
        <translation>挂接</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="305" />
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="305" />
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="305" />
        <source>info</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="316" />
        <source>no flow direction recorded</source>
        <translation>未记录流向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="317" />
        <source>no plant or outfall in the project</source>
        <translation>项目无污水厂或排放口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="318" />
        <source>manholes off the pipe ends</source>
        <translation>检查井不在管线端点上</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="340" />
        <source>Building the network…</source>
        <translation>正在构建管网…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="346" />
        <source>Updating the checks…</source>
        <translation>正在更新检查结果…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="381" />
        <source>%1 items in %4 kinds: %2 errors, %3 warnings</source>
        <translation>共 %1 项，%4 类：%2 个错误，%3 个警告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="391" />
        <source>No check items.</source>
        <translation>没有检查项。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="434" />
        <source>This item needs manual editing</source>
        <translation>此项需手动编辑</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="467" />
        <source>On the map: the busiest %1 cells of %2 m; the busiest holds %3.</source>
        <translation>地图上：问题最密集的 %1 个 %2 m 网格；最密的一格有 %3 项。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="551" />
        <source>Selected %1; edit it with the Edit tools</source>
        <translation>已选择 %1；请使用编辑工具修改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="565" />
        <source>Zoom to</source>
        <translation>缩放至</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="451" />
        <location filename="../../gisapp/qt/checks_dock.py" line="569" />
        <source>Fix: %1</source>
        <translation>修复：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="571" />
        <source>Fix (manual)</source>
        <translation>修复（需手动）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/checks_dock.py" line="578" />
        <source>Copy message</source>
        <translation>复制信息</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="569" />
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="575" />
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="576" />
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="577" />
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="578" />
        <source>What happened</source>
        <translation>情况</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="579" />
        <source>Changed by</source>
        <translation>修改人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="580" />
        <source>Changed at</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="592" />
        <source>Keep the database version</source>
        <translation>保留数据库版本</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="594" />
        <source>Keep my version</source>
        <translation>保留我的版本</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="626" />
        <source>%1 conflict(s) waiting</source>
        <translation>%1 个冲突待处理</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="643" />
        <source>changed on both sides</source>
        <translation>双方均已修改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="645" />
        <source>changed offline, deleted in the database</source>
        <translation>离线修改，但数据库中已删除</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="648" />
        <source>deleted offline, changed in the database</source>
        <translation>离线删除，但数据库中已修改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="651" />
        <source>added offline, its key is already in the database</source>
        <translation>离线新增，但其编号在数据库中已存在</translation>
    </message>
</context>
<context>
    <name>DecisionForm</name>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="200" />
        <source>Decision</source>
        <translation>整治</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="202" />
        <source>Merge into</source>
        <translation>合并至</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="210" />
        <source>Measure</source>
        <translation>整改措施</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="211" />
        <source>Target</source>
        <translation>整治目标</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="212" />
        <source>Deadline</source>
        <translation>整改时限</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="213" />
        <source>Responsible unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="214" />
        <source>Responsible person</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="215" />
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="218" />
        <source>Raise ledger problems</source>
        <translation>登记到问题台账</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="224" />
        <source>Clear decision</source>
        <translation>清除整治决定</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="225" />
        <source>Save decision</source>
        <translation>保存整治决定</translation>
    </message>
</context>
<context>
    <name>DossierDock</name>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="115" />
        <source>Park dossier</source>
        <translation>一园一档</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="140" />
        <source>Park facts</source>
        <translation>园区基本情况</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="141" />
        <source>Checklist (20 items)</source>
        <translation>资料清单（20 项）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="142" />
        <source>Enterprise files</source>
        <translation>一企一档</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="166" />
        <source>Or click an enterprise on the map while this tab is shown.</source>
        <translation>也可在显示本页时于地图上单击企业。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="176" />
        <source>Connection</source>
        <translation>纳管情况</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="177" />
        <source>Production scale</source>
        <translation>生产规模</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="178" />
        <source>Operation</source>
        <translation>运行情况</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="187" />
        <source>Enterprise list (Excel)…</source>
        <translation>企业情况总表（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="197" />
        <source>Export dossier (Word + folder)…</source>
        <translation>导出档案（Word + 文件夹）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="201" />
        <source>The Word dossier, the folder in item order with its contents list, annexes 1-3 and 1-1 and the enterprise list</source>
        <translation>Word 档案、按序夹装的文件夹及目录、附件1-3、附件1-1 和企业情况总表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="205" />
        <source>with the flow map</source>
        <translation>含流向图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="208" />
        <source>Annex 1-3 (Excel)…</source>
        <translation>附件1-3（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="211" />
        <source>Annex 1-1 (Excel)…</source>
        <translation>附件1-1（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="265" />
        <source>No project</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="274" />
        <source>Complete %1/%2</source>
        <translation>齐全 %1/%2</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="281" />
        <source>partial %1 · missing %2</source>
        <translation>部分 %1 · 缺失 %2</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="286" />
        <source>Checklist %1/%2</source>
        <translation>资料清单 %1/%2</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="324" />
        <source>connected</source>
        <translation>已纳管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="324" />
        <source>not connected</source>
        <translation>未纳管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="336" />
        <source>Complete files: %1 of %2 enterprises</source>
        <translation>资料齐全：%1/%2 家企业</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="382" />
        <source>Set %1</source>
        <translation>修改%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="398" />
        <source>Set enterprise %1</source>
        <translation>修改企业 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="404" />
        <source>Attach files to %1</source>
        <translation>为 %1 附加文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="406" />
        <source>Documents and images (%1);;All files (*)</source>
        <translation>文档和图片 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="416" />
        <source>Attach %1 file(s) to %2</source>
        <translation>向 %2 附加 %1 个文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="425" />
        <source>Remove %1 attachment(s)</source>
        <translation>移除 %1 个附件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="434" />
        <source>Review %1</source>
        <translation>审核 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="444" />
        <source>The file %1 is missing: it was moved or deleted. Attach it again.</source>
        <translation>文件 %1 缺失：已被移动或删除。请重新附加。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="456" />
        <source>Reading the dossier</source>
        <translation>正在读取档案</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="456" />
        <source>Writing the dossier</source>
        <translation>正在写出档案</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="459" />
        <source>Exporting the park dossier</source>
        <translation>正在导出一园一档</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="473" />
        <source>Wrote %1 and the folder %2 (%3 files).</source>
        <translation>已写出 %1 和文件夹 %2（%3 个文件）。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="481" />
        <source>%1 attached file(s) missing: marked in the contents list.</source>
        <translation>%1 个附件文件缺失，已在目录中标出。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="485" />
        <source>Dossier exported</source>
        <translation>档案已导出</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="490" />
        <source>Export the dossier to</source>
        <translation>档案导出到</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="512" />
        <source>Wrote %1</source>
        <translation>已写出 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="521" />
        <source>Save %1</source>
        <translation>保存%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="521" />
        <source>Excel (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>EditController</name>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="113" />
        <location filename="../../gisapp/qt/edit_tools.py" line="367" />
        <location filename="../../gisapp/qt/edit_tools.py" line="369" />
        <source>Draw pipe</source>
        <translation>绘制管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="116" />
        <source>Click vertices; ends snap to manholes and pipe ends; double-click or Enter finishes, Esc cancels</source>
        <translation>单击添加顶点，端点自动吸附到检查井和管线端点；双击或按 Enter 完成，按 Esc 取消</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="122" />
        <location filename="../../gisapp/qt/edit_tools.py" line="406" />
        <source>Draw manhole</source>
        <translation>绘制检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="124" />
        <source>Click to place a manhole</source>
        <translation>单击放置检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="128" />
        <source>Move vertex</source>
        <translation>移动顶点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="130" />
        <source>Drag a pipe vertex or a manhole; pipe ends follow their manhole</source>
        <translation>拖动管线顶点或检查井；管线端点随所连检查井移动</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="146" />
        <source>Delete selected</source>
        <translation>删除所选</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="148" />
        <source>Delete the selected features</source>
        <translation>删除所选要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="153" />
        <source>Reverse flow direction</source>
        <translation>反转流向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="155" />
        <source>Turn the selected pipes round: line, from/to manholes and inverts</source>
        <translation>将所选管线反向：线方向、起止检查井及管底高程一并对调</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="159" />
        <source>Split pipe at manhole</source>
        <translation>在检查井处打断管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="161" />
        <source>Split the pipes running through the selected manholes</source>
        <translation>在所选检查井处打断穿过的管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="165" />
        <source>Edit attributes…</source>
        <translation>编辑属性…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="167" />
        <source>Edit the attributes of the selected feature</source>
        <translation>编辑所选要素的属性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="182" />
        <source>New manholes at free pipe ends</source>
        <translation>在管线自由端新建检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="186" />
        <source>System of new pipes</source>
        <translation>新建管线的类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="190" />
        <source>As the manhole it starts at</source>
        <translation>与起点检查井相同</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="191" />
        <source>Sewage</source>
        <translation>污水</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="192" />
        <source>Rain</source>
        <translation>雨水</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="193" />
        <source>Combined</source>
        <translation>合流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="194" />
        <source>Industrial wastewater</source>
        <translation>工业废水专管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="334" />
        <source>A pipe needs two points.</source>
        <translation>管线至少需要两个点。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="374" />
        <source>Pipe %1 added</source>
        <translation>已添加管线 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="396" />
        <source>There is a manhole here already.</source>
        <translation>此处已有检查井。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="524" />
        <source>Delete %1 features</source>
        <translation>删除 %1 个要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="540" />
        <source>Reverse %1 pipes</source>
        <translation>反转 %1 条管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="573" />
        <source>No pipe runs through the selected manhole(s).</source>
        <translation>没有管线穿过所选检查井。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/edit_tools.py" line="577" />
        <source>Split pipes</source>
        <translation>打断管线</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../gisapp/qt/errors.py" line="24" />
        <source>Cannot do that</source>
        <translation>无法执行此操作</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/errors.py" line="41" />
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/errors.py" line="43" />
        <source>This is a bug in PipeAtlas. Your data has not been changed.</source>
        <translation>这是 PipeAtlas 的程序缺陷。您的数据未被更改。</translation>
    </message>
</context>
<context>
    <name>ExportMapDialog</name>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="40" />
        <location filename="../../gisapp/qt/export_dialog.py" line="100" />
        <source>Export map</source>
        <extracomment>The highlight groups a trace is drawn in, first found wins (File → Export map prints it).</extracomment>
        <translation>导出地图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="42" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="50" />
        <source>Fit the page (one sheet)</source>
        <translation>适合图纸（单幅）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="55" />
        <source>At a fixed scale a park larger than the paper is cut into numbered sheets, after an index map (PDF only).</source>
        <translation>按固定比例尺出图时，超出图纸的园区将分幅编号输出，首页为分幅索引图（仅限 PDF）。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="59" />
        <source>Fade the rain system</source>
        <translation>淡化雨水系统</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="62" />
        <source>Landscape</source>
        <translation>横向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="63" />
        <source>Portrait</source>
        <translation>纵向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="65" />
        <source>Whole park</source>
        <translation>整个园区</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="66" />
        <source>Current view</source>
        <translation>当前视图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="68" />
        <source>default: &lt;park&gt; pipe network and flow map</source>
        <translation>默认：&lt;园区&gt;管网图及污水流向图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="70" />
        <source>Highlight the current trace</source>
        <translation>突出显示当前追踪结果</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="80" />
        <source>File (.pdf, .png or .dxf)</source>
        <translation>文件（.pdf、.png 或 .dxf）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="111" />
        <source>Choose a file name ending in .pdf or .png (map) or .dxf (CAD drawing).</source>
        <translation>请选择以 .pdf 或 .png（地图）或 .dxf（CAD 图纸）结尾的文件名。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="81" />
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="82" />
        <source>Scale</source>
        <translation>比例尺</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="83" />
        <source>Orientation</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="84" />
        <source>Extent</source>
        <translation>范围</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="85" />
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="86" />
        <source>Language of the page</source>
        <translation>图面语言</translation>
    </message>
</context>
<context>
    <name>FactsEditor</name>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="67" />
        <source>(class default)</source>
        <translation>（按类别默认）</translation>
    </message>
</context>
<context>
    <name>FeatureForm</name>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="82" />
        <source>Attributes of %1</source>
        <translation>%1 的属性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="89" />
        <source>Standard fields</source>
        <translation>标准字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="102" />
        <source>Fields of the source data</source>
        <translation>源数据字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="129" />
        <source>Pipe id</source>
        <translation>管线编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="130" />
        <source>From manhole</source>
        <translation>起点检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="131" />
        <source>To manhole</source>
        <translation>终点检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="132" />
        <source>System</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="133" />
        <source>Diameter (mm)</source>
        <translation>管径 (mm)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="134" />
        <source>Material</source>
        <translation>材质</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="135" />
        <source>From invert (m)</source>
        <translation>起点管底高程 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="136" />
        <source>To invert (m)</source>
        <translation>终点管底高程 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="137" />
        <source>Flow direction</source>
        <translation>流向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="138" />
        <source>Main/branch</source>
        <translation>主管/支管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="139" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="140" />
        <source>Owner</source>
        <translation>权属单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="141" />
        <source>Year built</source>
        <translation>建设年代</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="142" />
        <source>Length (m)</source>
        <translation>长度 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="143" />
        <source>Manhole id</source>
        <translation>检查井编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="144" />
        <source>Ground level (m)</source>
        <translation>地面高程 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="145" />
        <source>Depth (m)</source>
        <translation>井深 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="146" />
        <source>Manhole type</source>
        <translation>检查井类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="147" />
        <source>Outfall id</source>
        <translation>排放口编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="148" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="149" />
        <source>Outfall class</source>
        <translation>排放口类别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="150" />
        <source>Receiving water</source>
        <translation>受纳水体</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="151" />
        <source>Enterprise id</source>
        <translation>企业编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="152" />
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="153" />
        <source>Discharge permit no.</source>
        <translation>排污许可证编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="154" />
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="155" />
        <source>Wastewater (t/d)</source>
        <translation>废水量 (t/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="156" />
        <source>COD (mg/L)</source>
        <translation>COD (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="157" />
        <source>Connection manhole</source>
        <translation>接入井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="158" />
        <source>Plant id</source>
        <translation>污水处理厂编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="159" />
        <source>Plant type</source>
        <translation>污水处理厂类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="160" />
        <source>Process</source>
        <translation>处理工艺</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="161" />
        <source>Design capacity (t/d)</source>
        <translation>设计处理能力 (t/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="162" />
        <source>Actual load (t/d)</source>
        <translation>实际处理量 (t/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="163" />
        <source>Inflow COD (mg/L)</source>
        <translation>进水 COD (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="164" />
        <source>Outflow COD (mg/L)</source>
        <translation>出水 COD (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="165" />
        <source>Standard</source>
        <translation>排放标准</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="166" />
        <source>Online monitoring</source>
        <translation>在线监测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="167" />
        <source>Zone id</source>
        <translation>保护区编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="168" />
        <source>Zone class</source>
        <translation>保护区类别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="169" />
        <source>Zone level</source>
        <translation>保护区分级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="170" />
        <source>Park code</source>
        <translation>园区代码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="171" />
        <source>Area (km²)</source>
        <translation>面积 (km²)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="177" />
        <source>Sewage</source>
        <translation>污水</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="178" />
        <source>Rain</source>
        <translation>雨水</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="179" />
        <source>Combined</source>
        <translation>合流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="180" />
        <source>Industrial wastewater</source>
        <translation>工业废水专管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="181" />
        <source>As digitised</source>
        <translation>顺数字化方向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="182" />
        <source>Against digitising</source>
        <translation>逆数字化方向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="183" />
        <source>Main</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="184" />
        <source>Branch</source>
        <translation>支管</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="185" />
        <source>Open</source>
        <translation>待整改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="186" />
        <source>Blocked</source>
        <translation>堵塞</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="187" />
        <source>Closed</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="188" />
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="189" />
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="214" />
        <source>Computed from the geometry</source>
        <translation>由几何图形计算</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="244" />
        <source>An id is required.</source>
        <translation>编号不能为空。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="252" />
        <source>Enter a number, e.g. 300 or 41.25.</source>
        <translation>请输入数字，如 300 或 41.25。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="254" />
        <source>Enter a finite number.</source>
        <translation>请输入有限数值。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="256" />
        <source>Enter a whole number.</source>
        <translation>请输入整数。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="260" />
        <source>Expected a value between %1 and %2.</source>
        <translation>数值应在 %1 到 %2 之间。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="268" />
        <source>This id is already used by another feature.</source>
        <translation>此编号已被其他要素使用。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/feature_form.py" line="303" />
        <source>Edit attributes of %1</source>
        <translation>编辑 %1 的属性</translation>
    </message>
</context>
<context>
    <name>FieldEditor</name>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="91" />
        <source>Clear override</source>
        <translation>恢复图算值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="92" />
        <source>Use the value computed from the map again</source>
        <translation>重新使用由图算得的值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="144" />
        <source>Not computed: the map gives no value.</source>
        <translation>无图算值：图层中没有相应数据。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="147" />
        <source>Overridden; computed from the map: %1</source>
        <translation>已人工修改；图算值：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="150" />
        <source>Computed from the map</source>
        <translation>由图算得</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="175" />
        <source>%1 characters: a unified social credit code has 18 (GB 32100-2015).</source>
        <translation>共 %1 位：统一社会信用代码应为 18 位（GB 32100-2015）。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="180" />
        <source>Character %1 (the check character) is “%2”; it should be “%3”: %4</source>
        <translation>第 %1 位（校验码）为“%2”，应为“%3”：%4</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="187" />
        <source>Character %1 “%2” never occurs in a credit code (no I, O, S, V, Z): %3</source>
        <translation>第 %1 位“%2”不是信用代码可用字符（不含 I、O、S、V、Z）：%3</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="194" />
        <source>Not a development-zone code: G (national) or S (provincial) and six digits, e.g. S437047, or ※ for a zone not in the catalogue.</source>
        <translation>不是开发区代码：应为 G（国家级）或 S（省级）加六位数字，如 S437047；未列入《目录》的填 ※。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="198" />
        <source>Not a date: write it as 2024-06-30.</source>
        <translation>不是有效日期：请写作 2024-06-30 或 2024年6月30日。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="200" />
        <source>Not a number ≥ 0.</source>
        <translation>不是 ≥ 0 的数字。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="202" />
        <source>Not a whole number ≥ 0.</source>
        <translation>不是 ≥ 0 的整数。</translation>
    </message>
</context>
<context>
    <name>FindingsTreeModel</name>
    <message>
        <location filename="../../gisapp/qt/findings_view.py" line="179" />
        <source>Features</source>
        <translation>要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/findings_view.py" line="179" />
        <source>Check item</source>
        <translation>检查项</translation>
    </message>
</context>
<context>
    <name>IdentifyDock</name>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="289" />
        <source>Identify results</source>
        <translation>识别结果</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="295" />
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="295" />
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="329" />
        <source>(geometry)</source>
        <translation>（几何）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="339" />
        <source>line, %1 long</source>
        <translation>线，长 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="341" />
        <source>area, %1</source>
        <translation>面，%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="343" />
        <source>point, %1</source>
        <translation>点，%1</translation>
    </message>
</context>
<context>
    <name>ImportMappingDialog</name>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="37" />
        <source>Import inspection table — columns</source>
        <translation>导入检测表 — 列对应</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="42" />
        <source>%1: %2 data row(s), header on row %3. Choose the column of each field; fields left empty are not read.</source>
        <translation>%1：%2 行数据，表头位于第 %3 行。请为每个字段选择对应的列；留空的字段不读取。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="80" />
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="80" />
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="80" />
        <source>First value</source>
        <translation>首行值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="92" />
        <source>(not in the table)</source>
        <translation>（表中没有）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="116" />
        <source>CCTV</source>
        <translation>CCTV</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="117" />
        <source>QV periscope</source>
        <translation>QV 管道潜望镜</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="118" />
        <source>Sonar</source>
        <translation>声呐</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="119" />
        <source>Manual</source>
        <translation>人工检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="120" />
        <source>Dye test</source>
        <translation>染色试验</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="121" />
        <source>Smoke test</source>
        <translation>烟雾试验</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="130" />
        <source>folder of the photo files (optional)</source>
        <translation>照片文件所在文件夹（可选）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="131" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="136" />
        <source>Method</source>
        <translation>检测方法</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="137" />
        <source>Contractor</source>
        <translation>检测单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="138" />
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="153" />
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="63" />
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="143" />
        <source>Pipe id</source>
        <translation>管线编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="144" />
        <source>Start manhole</source>
        <translation>起点检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="145" />
        <source>End manhole</source>
        <translation>终点检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="146" />
        <source>Distance (m)</source>
        <translation>距离 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="147" />
        <source>Defect code</source>
        <translation>缺陷代码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="148" />
        <source>Defect name</source>
        <translation>缺陷名称</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="149" />
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="150" />
        <source>Clock position</source>
        <translation>环向位置</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="151" />
        <source>Defect length (m)</source>
        <translation>缺陷长度 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="152" />
        <source>Video time</source>
        <translation>视频时间</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="154" />
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="155" />
        <source>Inspection date</source>
        <translation>检测日期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="170" />
        <source>Choose the column of the defect code (or name).</source>
        <translation>请选择缺陷代码（或名称）所在的列。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="172" />
        <source>Choose the pipe column, or both manhole columns.</source>
        <translation>请选择管线列，或同时选择起点和终点检查井列。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="175" />
        <source>A column is chosen for two fields.</source>
        <translation>有一列被同时选给了两个字段。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="180" />
        <source>Photo folder</source>
        <translation>照片文件夹</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="206" />
        <source>Inspection table imported</source>
        <translation>检测表已导入</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="210" />
        <source>%1 observation(s) imported from %2; %3 row(s) could not be read; %4 warning(s); %5 observation(s) wait for their pipe to be matched.</source>
        <translation>从 %2 导入 %1 条观测记录；%3 行无法读取；%4 条警告；%5 条观测记录待匹配管线。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="223" />
        <source>not read</source>
        <translation>未读取</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="224" />
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="229" />
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="230" />
        <source>What</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="231" />
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="232" />
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_import_dialogs.py" line="233" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>InspectController</name>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="424" />
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="424" />
        <source>Drag to move the map</source>
        <translation>拖动以移动地图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="427" />
        <source>Identify</source>
        <translation>识别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="429" />
        <source>Click a feature to list all its attributes</source>
        <translation>单击要素以列出其全部属性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="433" />
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="435" />
        <source>Click or drag a rectangle to select features; Shift adds</source>
        <translation>单击或拖出矩形以选择要素；按住 Shift 可追加选择</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="438" />
        <source>Measure distance</source>
        <translation>测量距离</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="440" />
        <source>Click points; double-click finishes; Esc ends</source>
        <translation>单击添加点；双击完成；按 Esc 结束</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="443" />
        <source>Measure area</source>
        <translation>测量面积</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="445" />
        <source>Click corners; double-click finishes; Esc ends</source>
        <translation>单击添加顶点；双击完成；按 Esc 结束</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="463" />
        <location filename="../../gisapp/qt/inspect_tools.py" line="470" />
        <source>Attribute table</source>
        <translation>属性表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="465" />
        <source>Open the attribute table of the current layer</source>
        <translation>打开当前图层的属性表</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="477" />
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="484" />
        <source>Find id or enterprise name…</source>
        <translation>查找编号或企业名称…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="486" />
        <source>Id of a pipe, manhole, outfall, plant or enterprise, or part of a name</source>
        <translation>管线、检查井、排放口、污水处理厂或企业的编号，或名称的一部分</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="496" />
        <source>Find…</source>
        <translation>查找…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gisapp/qt/inspect_tools.py" line="576" />
        <source>%n feature(s) identified</source>
        <translation><numerusform>识别到 %n 个要素</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="579" />
        <source>No feature here</source>
        <translation>此处没有要素</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gisapp/qt/inspect_tools.py" line="617" />
        <source>%n feature(s) selected</source>
        <translation><numerusform>已选择 %n 个要素</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="660" />
        <source>(no layers)</source>
        <translation>（无图层）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="686" />
        <source>Nothing found for “%1”</source>
        <translation>未找到“%1”</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="696" />
        <source>Found %1 in %2</source>
        <translation>在 %2 中找到 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="755" />
        <source>Area: %1 m² (%2 ha), perimeter %3 m</source>
        <translation>面积：%1 m²（%2 公顷），周长 %3 m</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="763" />
        <source>Distance: %1 m</source>
        <translation>距离：%1 m</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="765" />
        <source> (last segment %1 m)</source>
        <translation>（最后一段 %1 m）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/inspect_tools.py" line="767" />
        <source> — finished; click to start again, Esc to clear</source>
        <translation> — 已完成；单击可重新开始，按 Esc 清除</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="125" />
        <source>Raise</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="127" />
        <source>Lower</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="131" />
        <source>Zoom to layer</source>
        <translation>缩放至图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="140" />
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="141" />
        <source>Single symbol</source>
        <translation>单一符号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="142" />
        <source>By category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="143" />
        <source>Graduated</source>
        <translation>分级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="167" />
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="168" />
        <source>Style</source>
        <translation>样式</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="169" />
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="170" />
        <source>Classes</source>
        <translation>分级数</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="171" />
        <source>Labels</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="324" />
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="476" />
        <source>Choose a field to classify by.</source>
        <translation>请选择用于分类的字段。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/layer_panel.py" line="487" />
        <source>Field {0} has no numbers: choose a numeric field for a graduated style.</source>
        <translation>字段 {0} 不含数值：分级样式请选择数值字段。</translation>
    </message>
</context>
<context>
    <name>LedgerDock</name>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="157" />
        <source>Problem ledger</source>
        <translation>问题台账</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="200" />
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="159" />
        <source>Open</source>
        <translation>待整改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="160" />
        <source>In progress</source>
        <translation>整改中</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="161" />
        <source>Done</source>
        <translation>已整改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="162" />
        <source>Verified</source>
        <translation>已核验</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="205" />
        <source>Overdue only</source>
        <translation>仅显示逾期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="171" />
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="172" />
        <source>Measure</source>
        <translation>整改措施</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="173" />
        <source>Responsible body</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="174" />
        <source>Responsible person</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="175" />
        <source>Deadline</source>
        <translation>整改时限</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="176" />
        <source>Progress</source>
        <translation>整改进展</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="177" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="178" />
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="179" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="219" />
        <source>New problem</source>
        <translation>新建问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="222" />
        <source>Raise from defects Ⅲ–Ⅳ and misconnections</source>
        <translation>从Ⅲ–Ⅳ级缺陷和雨污混接生成问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="225" />
        <source>Export Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="226" />
        <source>Import Excel…</source>
        <translation>导入 Excel…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="235" />
        <source>Set the status of the selected problem</source>
        <translation>设置所选问题的整改状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="236" />
        <source>Set status…</source>
        <translation>设置状态…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="256" />
        <source>All bodies</source>
        <translation>全部责任单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="278" />
        <source>%1 problem(s), %2 overdue</source>
        <translation>%1 个问题，%2 个逾期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="293" />
        <source>%1 problem(s) added, %2 already in the ledger</source>
        <translation>新增 %1 个问题，%2 个已在台账中</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="314" />
        <source>Raise problems</source>
        <translation>提出问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="326" />
        <source>Set status: %1</source>
        <translation>设置状态：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="342" />
        <source>Exported to %1</source>
        <translation>已导出至 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="353" />
        <source>Import ledger workbook</source>
        <translation>导入问题台账工作簿</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="358" />
        <source>%1 updated, %2 added, %3 conflict(s) left for review</source>
        <translation>更新 %1 条，新增 %2 条，%3 处冲突待复核</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="368" />
        <source>Export ledger</source>
        <translation>导出问题台账</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="370" />
        <location filename="../../gisapp/qt/ledger_dock.py" line="380" />
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="378" />
        <source>Import ledger</source>
        <translation>导入问题台账</translation>
    </message>
</context>
<context>
    <name>LedgerImportDialog</name>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="111" />
        <source>Import ledger workbook</source>
        <translation>导入问题台账工作簿</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/ledger_dock.py" line="115" />
        <source>%1 change(s), %2 new problem(s), %3 conflict(s) (not applied), %4 unreadable row(s)</source>
        <translation>%1 处修改，%2 个新问题，%3 处冲突（未应用），%4 行无法读取</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="182" />
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="198" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="239" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="242" />
        <source>&amp;New project from layers…</source>
        <translation>从图层新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="249" />
        <source>&amp;Open project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="254" />
        <source>Recent projects</source>
        <translation>最近的项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="259" />
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="268" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="275" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="276" />
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="279" />
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="287" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="290" />
        <source>Zoom to full extent</source>
        <translation>缩放至全图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="297" />
        <source>Zoom to selection</source>
        <translation>缩放至选择</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="304" />
        <source>Zoom to layer</source>
        <translation>缩放至图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="311" />
        <source>Previous view</source>
        <translation>上一视图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="318" />
        <source>Next view</source>
        <translation>下一视图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="226" />
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="75" />
        <source>Reading the map</source>
        <translation>正在读取地图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="98" />
        <source>Fetching the project from the database</source>
        <translation>正在从数据库获取项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="119" />
        <location filename="../../gisapp/qt/main_window.py" line="396" />
        <source>Reading attributes</source>
        <translation>正在读取属性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="227" />
        <source>&amp;Analysis</source>
        <translation>分析(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="228" />
        <source>S&amp;urveys</source>
        <translation>检测(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="229" />
        <source>Map tools</source>
        <translation>地图工具</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="231" />
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="232" />
        <source>Language / 语言</source>
        <translation>语言 / Language</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="235" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="236" />
        <source>About PipeAtlas</source>
        <translation>关于 PipeAtlas</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="325" />
        <source>Reset window layout</source>
        <translation>重置窗口布局</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="343" />
        <source>Save the changes before opening another project?</source>
        <translation>打开其他项目前是否保存更改？</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="349" />
        <source>Opening project</source>
        <translation>正在打开项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="426" />
        <source>The project has unsaved changes. Save them first?</source>
        <translation>项目有未保存的更改，是否先保存？</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="463" />
        <source>Opened %1: %2 layers</source>
        <translation>已打开 %1：%2 个图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="531" />
        <source>Network</source>
        <translation>管网</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="551" />
        <source>Network: %1 pipes, %2 nodes; %3 check items (%4 errors)</source>
        <translation>管网：%1 条管线，%2 个节点；%3 项检查结果（%4 个错误）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="607" />
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="615" />
        <source>Save the changes before creating a new project?</source>
        <translation>新建项目前是否保存更改？</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="624" />
        <source>Importing layers</source>
        <translation>正在导入图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="653" />
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="653" />
        <source>PipeAtlas project (*.gpkg)</source>
        <translation>PipeAtlas 项目 (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="664" />
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="697" />
        <source>PipeAtlas — GIS for industrial-park wastewater networks.</source>
        <translation>PipeAtlas — 工业园区污水管网地理信息系统。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="425" />
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="678" />
        <source>Save the changes before switching the language?</source>
        <translation>切换语言前是否保存更改？</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/main_window.py" line="776" />
        <source>The project has unsaved changes. Save them before closing?</source>
        <translation>项目有未保存的更改。关闭前是否保存？</translation>
    </message>
</context>
<context>
    <name>MapExporter</name>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="137" />
        <source>Export &amp;map…</source>
        <translation>导出地图(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="203" />
        <source>Map written to %1</source>
        <translation>地图已写入 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/export_dialog.py" line="209" />
        <source>Exporting map</source>
        <translation>正在导出地图</translation>
    </message>
</context>
<context>
    <name>NewProjectDialog</name>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="55" />
        <source>New project from layers</source>
        <translation>从图层新建项目</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="88" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="91" />
        <source>default: the CRS of the pipes, e.g. EPSG:4525</source>
        <translation>默认：管线图层的坐标系，如 EPSG:4525</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="96" />
        <source>Project file (.gpkg)</source>
        <translation>项目文件（.gpkg）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="97" />
        <source>Project CRS</source>
        <translation>项目坐标系</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="108" />
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="110" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="113" />
        <source>Layer kind</source>
        <translation>图层类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="115" />
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="129" />
        <source>auto-detect</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="142" />
        <source>Role</source>
        <translation>目标属性</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="143" />
        <source>Source field</source>
        <translation>源字段</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="144" />
        <source>How sure</source>
        <translation>识别依据</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="145" />
        <source>Preview (decoded)</source>
        <translation>预览（已解码）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="149" />
        <source>Selected file</source>
        <translation>所选文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="151" />
        <source>Encoding</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="153" />
        <source>CRS if the file has none</source>
        <translation>文件无坐标系时采用</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="154" />
        <source>CRS</source>
        <translation>坐标系</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="192" />
        <source>The import was cancelled.</source>
        <translation>导入已取消。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="197" />
        <source>The import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="213" />
        <source>Project file</source>
        <translation>项目文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="219" />
        <source>Add layer files</source>
        <translation>添加图层文件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="265" />
        <source>chosen by you</source>
        <translation>由你指定</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="266" />
        <source>the format is UTF-8</source>
        <translation>该格式规定为 UTF-8</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="267" />
        <source>declared in the .cpg file</source>
        <translation>.cpg 文件中声明</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="268" />
        <source>the DBF language driver byte</source>
        <translation>按 DBF 语言驱动字节</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="269" />
        <source>detected from the text</source>
        <translation>按文字内容识别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="300" />
        <source>No CRS in the file. Hint: </source>
        <translation>文件中没有坐标系。提示：</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="317" />
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="343" />
        <source>set by you</source>
        <translation>手动指定</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="357" />
        <source>Choose where to save the project (.gpkg).</source>
        <translation>请选择项目的保存位置（.gpkg）。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="360" />
        <source>The project file must end in .gpkg.</source>
        <translation>项目文件名必须以 .gpkg 结尾。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/new_project_dialog.py" line="363" />
        <source>Add at least one pipe layer.</source>
        <translation>请至少添加一个管线图层。</translation>
    </message>
</context>
<context>
    <name>OutfallsDock</name>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="147" />
        <source>Outfalls</source>
        <translation>排污口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="166" />
        <source>Outfall no.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="167" />
        <location filename="../../gisapp/qt/outfalls_dock.py" line="275" />
        <location filename="../../gisapp/qt/outfalls_dock.py" line="298" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="168" />
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="169" />
        <source>Receiving water</source>
        <translation>受纳水体</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="170" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="171" />
        <source>Shared</source>
        <translation>共用</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="172" />
        <location filename="../../gisapp/qt/outfalls_dock.py" line="219" />
        <source>Exceedances</source>
        <translation>超标</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="173" />
        <location filename="../../gisapp/qt/outfalls_dock.py" line="184" />
        <source>Decision</source>
        <translation>整治</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="181" />
        <source>Facts</source>
        <translation>登记信息</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="182" />
        <source>Trace and balance</source>
        <translation>溯源与物料平衡</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="183" />
        <source>Monitoring</source>
        <translation>监测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="194" />
        <source>Add outfall from map</source>
        <translation>在地图上新增排污口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="196" />
        <source>Click the map where an outfall was found, then enter its facts.</source>
        <translation>在地图上单击发现排污口的位置，然后填写其信息。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="212" />
        <source>All classes</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="217" />
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="218" />
        <source>With problems</source>
        <translation>存在问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="220" />
        <source>Shared (共用)</source>
        <translation>多单位共用</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="221" />
        <source>Not reached by the network</source>
        <translation>管网不可达</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="222" />
        <source>Added in the field</source>
        <translation>现场新增</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="223" />
        <source>Not registered</source>
        <translation>未登记</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="224" />
        <source>Registered</source>
        <translation>已登记</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="225" />
        <source>No decision</source>
        <translation>未定整治措施</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="234" />
        <source>Register (Excel)…</source>
        <translation>登记表 (Excel)…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="258" />
        <source>Save facts</source>
        <translation>保存登记信息</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="274" />
        <source>Discharger</source>
        <translation>排污单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="276" />
        <source>Flow (t/d)</source>
        <translation>水量 (t/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="277" />
        <source>COD (mg/L)</source>
        <translation>COD (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="278" />
        <source>COD load (kg/d)</source>
        <translation>COD负荷 (kg/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="279" />
        <source>Share of COD</source>
        <translation>COD负荷占比</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="287" />
        <source>What if sealed?</source>
        <translation>若封堵？</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="289" />
        <source>Where would the enterprises upstream go if this outfall were sealed?</source>
        <translation>若封堵此排污口，上游企业的污水将排往何处？</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="298" />
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="298" />
        <source>After sealing</source>
        <translation>封堵后</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="309" />
        <source>Sampled</source>
        <translation>采样时间</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="310" />
        <source>Weather</source>
        <translation>天气</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="316" />
        <source>Sampler</source>
        <translation>采样人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="317" />
        <source>Exceedances and anomalies</source>
        <translation>超标/异常</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="325" />
        <source>Delete sample</source>
        <translation>删除监测记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="329" />
        <source>Import from Excel…</source>
        <translation>从 Excel 导入…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="486" />
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="524" />
        <source>Select an outfall in the table.</source>
        <translation>请在表中选择一个排污口。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="552" />
        <source>in the layer</source>
        <translation>图层中</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="552" />
        <source>added in the field</source>
        <translation>现场新增</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="556" />
        <source>data: %1</source>
        <translation>数据: %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="560" />
        <source>In protected zones: %1</source>
        <translation>位于敏感区内：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="574" />
        <source>Not reached by the network: %1</source>
        <translation>管网不可达：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="578" />
        <source>Upstream: %1 pipes, %2 m, %3 discharger(s)</source>
        <translation>上游：管道 %1 段，%2 m，排污单位 %3 家</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="584" />
        <source>shared (共用): %1</source>
        <translation>共用：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="602" />
        <source>COD balance: no declared or monitored load.</source>
        <translation>COD物料平衡：无申报负荷，也无监测负荷。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="605" />
        <source>COD balance: declared %1 kg/d, monitored %2 kg/d</source>
        <translation>COD物料平衡：申报 %1 kg/d，监测 %2 kg/d</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="610" />
        <source>, gap %1 kg/d</source>
        <translation>，差 %1 kg/d</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="614" />
        <source>no sample with flow and COD yet</source>
        <translation>尚无同时测流量和COD的样品</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="642" />
        <source>%1 record(s), %2 with exceedances; standard %3</source>
        <translation>监测 %1 次，超标 %2 次；执行标准 %3</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="662" />
        <source>No enterprise upstream: sealing changes nothing.</source>
        <translation>上游无企业：封堵不改变任何去向。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="665" />
        <source>%1 enterprise(s) drain here; %2 would have nowhere to go.</source>
        <translation>%1 家企业排入此口；封堵后 %2 家无去向。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="680" />
        <source>The network does not reach this outfall: sealing changes no route.</source>
        <translation>管网不可达此排口：封堵不改变任何企业的去向。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="743" />
        <source>Set facts of outfall %1</source>
        <translation>修改排污口 %1 的登记信息</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="759" />
        <source>Add a sample of outfall %1</source>
        <translation>新增排污口 %1 的监测记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="775" />
        <source>Delete %1 sample(s)</source>
        <translation>删除 %1 条监测记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="796" />
        <source>Import %1 sample(s)</source>
        <translation>导入 %1 条监测记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="800" />
        <source>%1: %2 row(s), %3 imported, %4 rejected.</source>
        <translation>%1：共 %2 行，导入 %3 条，拒收 %4 行。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="808" />
        <source>Row %1, column %2: %3 (value %4)</source>
        <translation>第 %1 行，%2 列：%3（值 %4）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="816" />
        <source>%1: lab report %2 not found (record kept)</source>
        <translation>%1：未找到检测报告 %2（记录已保留）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="829" />
        <source>Import monitoring samples</source>
        <translation>导入监测数据</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="829" />
        <location filename="../../gisapp/qt/outfalls_dock.py" line="958" />
        <source>Excel (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="842" />
        <source>Decide outfall %1</source>
        <translation>确定排污口 %1 的整治措施</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="846" />
        <source>Decision saved.</source>
        <translation>整治决定已保存。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="856" />
        <source>Ledger: %1 problem(s) added, %2 already there.</source>
        <translation>台账：新增 %1 个问题，已有 %2 个。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="873" />
        <source>Clear the decision of outfall %1</source>
        <translation>清除排污口 %1 的整治决定</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="879" />
        <source>Decision cleared; its ledger problems stay.</source>
        <translation>整治决定已清除；其台账问题仍保留。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="925" />
        <source>Give the new outfall a code (e.g. PK11).</source>
        <translation>请为新排污口填写编号（如 PK11）。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="927" />
        <source>Outfall %1 is already in the register: choose another code.</source>
        <translation>排污口 %1 已在登记表中，请换一个编号。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="933" />
        <source>Add outfall %1</source>
        <translation>新增排污口 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="951" />
        <source>Wrote %1</source>
        <translation>已写出 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="958" />
        <source>Save the outfall register</source>
        <translation>保存排污口登记表</translation>
    </message>
</context>
<context>
    <name>OverlapController</name>
    <message>
        <location filename="../../gisapp/qt/overlap_ext.py" line="98" />
        <source>Protected-area check</source>
        <translation>保护区冲突检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_ext.py" line="195" />
        <source>Overlap (pipe inside zone)</source>
        <translation>重叠部分（保护区内的管线）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_ext.py" line="196" />
        <source>Overlap (area inside zone)</source>
        <translation>重叠部分（保护区内的面域）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_ext.py" line="197" />
        <source>Overlap (feature in zone)</source>
        <translation>重叠部分（保护区内的要素）</translation>
    </message>
</context>
<context>
    <name>OverlapDock</name>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="179" />
        <source>Protected-area check</source>
        <translation>保护区冲突检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="189" />
        <source>Run check</source>
        <translation>运行检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="192" />
        <source>Excel report…</source>
        <translation>Excel 报告…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="195" />
        <source>PDF report…</source>
        <translation>PDF 报告…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="198" />
        <source>Raise conflicts as problems</source>
        <translation>将冲突列入问题台账</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="205" />
        <location filename="../../gisapp/qt/overlap_dock.py" line="226" />
        <source>Not run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="258" />
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="291" />
        <source>{0} conflicts, {1} warnings, {2} notes</source>
        <translation>{0} 处冲突，{1} 条警告，{2} 条提示</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="302" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="305" />
        <source>Check failed: {0}</source>
        <translation>检查失败：{0}</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="364" />
        <source>Save Excel report</source>
        <translation>保存 Excel 报告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="364" />
        <source>Excel (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="369" />
        <source>Save PDF report</source>
        <translation>保存 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="369" />
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="388" />
        <source>{0} problems raised, {1} already in the ledger</source>
        <translation>已生成 {0} 个问题，{1} 个已在台账中</translation>
    </message>
</context>
<context>
    <name>OverlapTableModel</name>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="72" />
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="73" />
        <source>Feature type</source>
        <translation>要素类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="74" />
        <source>Feature</source>
        <translation>要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="75" />
        <source>Zone</source>
        <translation>保护区</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="76" />
        <source>Zone name</source>
        <translation>保护区名称</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="77" />
        <source>Zone class</source>
        <translation>保护区类别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="78" />
        <source>Level</source>
        <translation>分区/级别</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="79" />
        <source>Relation</source>
        <translation>空间关系</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="80" />
        <source>Inside (m / m²)</source>
        <translation>区内长度/面积 (m / m²)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="81" />
        <source>To edge (m)</source>
        <translation>距边界 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/overlap_dock.py" line="82" />
        <source>Rule</source>
        <translation>规则</translation>
    </message>
</context>
<context>
    <name>ParkFactsForm</name>
    <message>
        <location filename="../../gisapp/qt/dossier_form.py" line="246" />
        <source>Filled in by</source>
        <translation>填报信息</translation>
    </message>
</context>
<context>
    <name>ProfileController</name>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="305" />
        <source>Profile</source>
        <translation>纵断面</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="307" />
        <source>Click two manholes to draw the longitudinal profile between them</source>
        <translation>单击两个检查井，绘制其间的纵断面图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="327" />
        <source>Profile: click the first manhole</source>
        <translation>纵断面：请单击第一个检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="338" />
        <source>Profile: click on a manhole</source>
        <translation>纵断面：请单击检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="344" />
        <source>Profile: %1 picked; click the second manhole</source>
        <translation>纵断面：已选取 %1，请单击第二个检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="357" />
        <source>The network is still being built; try again in a moment.</source>
        <translation>管网仍在构建中，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="385" />
        <source>Export profile</source>
        <translation>导出纵断面图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="387" />
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation>PNG 图像 (*.png);;PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="396" />
        <source>Profile saved to %1</source>
        <translation>纵断面图已保存至 %1</translation>
    </message>
</context>
<context>
    <name>ProfileDock</name>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="214" />
        <source>Longitudinal profile</source>
        <translation>纵断面图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="228" />
        <source>Export PNG/PDF…</source>
        <translation>导出 PNG/PDF…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="249" />
        <source>Trace downstream and press “Longitudinal profile”, or use the Profile tool and click two manholes.</source>
        <translation>先进行下游追踪再点击“纵断面图”，或使用纵断面工具单击两个检查井。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="265" />
        <source>%1 manholes, %2 pipes, %3 m.</source>
        <translation>%1 个检查井，%2 条管线，%3 m。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="271" />
        <source>%1 pipe(s) without inverts are not drawn.</source>
        <translation>%1 条管线缺少管底高程，未绘制。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/profile_dock.py" line="276" />
        <source>Invert rises along the flow in: %1.</source>
        <translation>以下管线的管底高程沿水流方向升高（倒坡）：%1。</translation>
    </message>
</context>
<context>
    <name>RecordForm</name>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="133" />
        <source>Date</source>
        <extracomment>Fields kept when the observation form moves on to the next observation. Word domain messages in Chinese (None: follow the locale; the language switch sets it).</extracomment>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="134" />
        <source>Method</source>
        <translation>检测方法</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="135" />
        <source>Contractor</source>
        <translation>检测单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="136" />
        <source>Crew</source>
        <translation>检测人员</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="137" />
        <source>Weather</source>
        <translation>天气</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="138" />
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="139" />
        <location filename="../../gisapp/qt/survey_forms.py" line="211" />
        <source>Inspection</source>
        <translation>检测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="140" />
        <location filename="../../gisapp/qt/survey_forms.py" line="196" />
        <source>Pipe</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="141" />
        <source>Start manhole</source>
        <translation>起点检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="142" />
        <source>End manhole</source>
        <translation>终点检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="143" />
        <source>Inspected against digitised direction</source>
        <translation>逆数字化方向检测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="144" />
        <source>Distance from start (m)</source>
        <translation>距起点距离 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="145" />
        <source>Clock from</source>
        <translation>环向起点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="146" />
        <source>Clock to</source>
        <translation>环向终点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="147" />
        <source>Defect length (m)</source>
        <translation>缺陷长度 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="148" />
        <source>Defect code</source>
        <translation>缺陷代码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="149" />
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="150" />
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="151" />
        <source>Video time</source>
        <translation>视频时间</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="152" />
        <source>X</source>
        <translation>X</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="153" />
        <source>Y</source>
        <translation>Y</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="154" />
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="155" />
        <source>Pipes</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="156" />
        <location filename="../../gisapp/qt/survey_forms.py" line="194" />
        <source>Manhole</source>
        <translation>检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="157" />
        <source>COD (mg/L)</source>
        <translation>COD (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="158" />
        <source>NH3-N (mg/L)</source>
        <translation>NH3-N (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="159" />
        <source>Conductivity (µS/cm)</source>
        <translation>电导率 (µS/cm)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="160" />
        <source>Dry-weather flow observed</source>
        <translation>旱天有水流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="161" />
        <source>Smell</source>
        <translation>气味</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="162" />
        <source>Source enterprise</source>
        <translation>来源企业</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="163" />
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="164" />
        <source>At</source>
        <translation>发生位置</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="165" />
        <source>Feature id</source>
        <translation>要素编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="166" />
        <source>Volume (m³)</source>
        <translation>水量 (m³)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="167" />
        <source>Siltation depth (mm)</source>
        <translation>淤积深度 (mm)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="168" />
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="169" />
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="170" />
        <source>Measure</source>
        <translation>整改措施</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="171" />
        <source>Responsible body</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="172" />
        <source>Responsible person</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="173" />
        <source>Deadline</source>
        <translation>整改时限</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="174" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="175" />
        <source>Progress notes</source>
        <translation>整改进展说明</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="176" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="177" />
        <source>Source reference</source>
        <translation>来源编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="178" />
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="179" />
        <source>Features</source>
        <translation>要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="184" />
        <source>CCTV</source>
        <translation>CCTV</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="185" />
        <source>QV periscope</source>
        <translation>QV 管道潜望镜</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="186" />
        <source>Sonar</source>
        <translation>声呐</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="187" />
        <source>Manual</source>
        <translation>人工检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="188" />
        <source>Dye test</source>
        <translation>染色试验</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="189" />
        <source>Smoke test</source>
        <translation>烟雾试验</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="190" />
        <source>Sewage → rain</source>
        <translation>污水→雨水</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="191" />
        <source>Rain → sewage</source>
        <translation>雨水→污水</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="192" />
        <source>Leak</source>
        <translation>渗漏</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="193" />
        <source>Overflow</source>
        <translation>溢流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="195" />
        <source>Outfall</source>
        <translation>排放口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="197" />
        <source>Open</source>
        <translation>待整改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="198" />
        <source>In progress</source>
        <translation>整改中</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="199" />
        <source>Done</source>
        <translation>已整改</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="200" />
        <source>Verified</source>
        <translation>已核验</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="201" />
        <source>Network check</source>
        <translation>管网检查</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="202" />
        <source>Defect</source>
        <translation>缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="203" />
        <location filename="../../gisapp/qt/survey_forms.py" line="213" />
        <source>Misconnection</source>
        <translation>雨污混接</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="204" />
        <source>Protected-area conflict</source>
        <translation>保护区冲突</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="205" />
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="206" />
        <source>Zero-discharge acceptance</source>
        <translation>零直排验收</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="212" />
        <source>Pipe defect</source>
        <translation>管段缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="214" />
        <source>Leak / overflow</source>
        <translation>渗漏/溢流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="215" />
        <source>Siltation</source>
        <translation>淤积</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="216" />
        <source>Ledger problem</source>
        <translation>台账问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="250" />
        <location filename="../../gisapp/qt/survey_forms.py" line="255" />
        <source>Pick on map</source>
        <translation>在地图上选取</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="260" />
        <source>Attach photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="275" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="279" />
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="360" />
        <source>ids separated by commas</source>
        <translation>多个编号以逗号分隔</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="366" />
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="451" />
        <source>Editing revision %1</source>
        <translation>正在编辑修订版本 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="501" />
        <source>(recorded, not scored)</source>
        <translation>（仅记录，不计分）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="538" />
        <source>Attach photos</source>
        <translation>添加照片</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="540" />
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)</source>
        <translation>图像 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="601" />
        <source>Add %1</source>
        <translation>添加%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="604" />
        <source>Edit %1</source>
        <translation>编辑%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/survey_forms.py" line="621" />
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
</context>
<context>
    <name>RecordsDock</name>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="124" />
        <source>Survey records</source>
        <extracomment>Columns shown per kind: (field, header).</extracomment>
        <translation>检测记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="141" />
        <source>Pipe defects</source>
        <translation>管段缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="142" />
        <source>Inspections</source>
        <translation>检测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="143" />
        <source>Misconnections</source>
        <translation>雨污混接</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="144" />
        <source>Leaks / overflows</source>
        <translation>渗漏/溢流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="145" />
        <source>Siltation</source>
        <translation>淤积</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="150" />
        <source>All codes</source>
        <translation>全部代码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="156" />
        <source>All grades</source>
        <translation>全部等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="161" />
        <source>Ⅲ–Ⅳ</source>
        <translation>Ⅲ–Ⅳ级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="168" />
        <source>Live</source>
        <translation>有效</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="169" />
        <source>Deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="170" />
        <source>Pipe not matched</source>
        <translation>未匹配管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="171" />
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="176" />
        <source>from YYYY-MM-DD</source>
        <translation>起始日期 YYYY-MM-DD</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="179" />
        <source>to YYYY-MM-DD</source>
        <translation>截止日期 YYYY-MM-DD</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="197" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="200" />
        <source>Undelete</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="220" />
        <source>Pipe</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="221" />
        <source>Start</source>
        <translation>起点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="222" />
        <source>End</source>
        <translation>终点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="223" />
        <source>Distance (m)</source>
        <translation>距离 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="224" />
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="225" />
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="226" />
        <source>Clock</source>
        <translation>环向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="227" />
        <source>Length (m)</source>
        <translation>长度 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="228" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="229" />
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="230" />
        <source>Method</source>
        <translation>检测方法</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="231" />
        <source>Contractor</source>
        <translation>检测单位</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="232" />
        <source>Crew</source>
        <translation>检测人员</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="233" />
        <source>Weather</source>
        <translation>天气</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="234" />
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="235" />
        <source>Pipes</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="236" />
        <source>Manhole</source>
        <translation>检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="237" />
        <source>COD</source>
        <translation>COD</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="238" />
        <source>NH3-N</source>
        <translation>NH3-N</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="239" />
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="240" />
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="241" />
        <source>At</source>
        <translation>发生位置</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="242" />
        <source>Feature</source>
        <translation>要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="243" />
        <source>Volume (m³)</source>
        <translation>水量 (m³)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="244" />
        <source>Depth (mm)</source>
        <translation>深度 (mm)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="259" />
        <source>All inspections</source>
        <translation>全部检测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="277" />
        <source>%1 record(s)</source>
        <translation>%1 条记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="352" />
        <source>Delete record</source>
        <translation>删除记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/records_dock.py" line="359" />
        <source>Undelete record</source>
        <translation>恢复记录</translation>
    </message>
</context>
<context>
    <name>SampleForm</name>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="119" />
        <source>Sampled</source>
        <translation>采样时间</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="123" />
        <source>Weather</source>
        <translation>天气</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="132" />
        <source>Values</source>
        <translation>监测值</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="134" />
        <source>Sampler</source>
        <translation>采样人</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_forms.py" line="138" />
        <source>Add sample</source>
        <translation>新增监测记录</translation>
    </message>
</context>
<context>
    <name>SurveysController</name>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="239" />
        <source>Survey form</source>
        <translation>记录表单</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="311" />
        <source>Inspection</source>
        <translation>检测</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="312" />
        <source>Pipe defect</source>
        <translation>管段缺陷</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="313" />
        <source>Misconnection</source>
        <translation>雨污混接</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="314" />
        <source>Leak / overflow</source>
        <translation>渗漏/溢流</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="315" />
        <source>Siltation</source>
        <translation>淤积</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="316" />
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="320" />
        <source>Record saved</source>
        <translation>记录已保存</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="342" />
        <source>Click the pipe on the map (Esc cancels)</source>
        <translation>请在地图上单击管线（按 Esc 取消）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="344" />
        <source>Click the location on the map (Esc cancels)</source>
        <translation>请在地图上单击位置（按 Esc 取消）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="385" />
        <source>No pipe there; click closer to a pipe (Esc cancels)</source>
        <translation>此处没有管线，请靠近管线单击（按 Esc 取消）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="392" />
        <source>Pipe %1 picked</source>
        <translation>已选取管线 %1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="530" />
        <source>The network is still being built; try again when the status bar shows the check count.</source>
        <translation>管网仍在构建中，请等状态栏显示检查项数后再试。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_ext.py" line="552" />
        <source>%1 problem(s) added to the ledger, %2 already there</source>
        <translation>已向问题台账新增 %1 个问题，%2 个已存在</translation>
    </message>
</context>
<context>
    <name>SurveysMenu</name>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="46" />
        <source>New inspection…</source>
        <translation>新建检测…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="47" />
        <source>New observation…</source>
        <translation>新建缺陷记录…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="48" />
        <source>New misconnection record…</source>
        <translation>新建雨污混接记录…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="49" />
        <source>New leak/overflow record…</source>
        <translation>新建渗漏/溢流记录…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="50" />
        <source>New siltation record…</source>
        <translation>新建淤积记录…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="51" />
        <source>New problem…</source>
        <translation>新建问题…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="65" />
        <source>Import inspection table (CSV/Excel)…</source>
        <translation>导入检测表（CSV/Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="70" />
        <source>Grade report (Excel/PDF)…</source>
        <translation>等级评定报告（Excel/PDF）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="76" />
        <source>Export ledger (Excel)…</source>
        <translation>导出问题台账（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="81" />
        <source>Import ledger (Excel)…</source>
        <translation>导入问题台账（Excel）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="86" />
        <source>Raise problems from network checks</source>
        <translation>从管网检查结果生成问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="91" />
        <source>Raise problems from defects Ⅲ–Ⅳ and misconnections</source>
        <translation>从Ⅲ–Ⅳ级缺陷和雨污混接生成问题</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="108" />
        <source>Condition map</source>
        <translation>管道状况图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="113" />
        <source>Condition map shows</source>
        <translation>状况图显示</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="117" />
        <source>Structural grade</source>
        <translation>结构性等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="124" />
        <source>Functional grade</source>
        <translation>功能性等级</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="139" />
        <source>Show survey records</source>
        <translation>显示检测记录</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/surveys_menu.py" line="146" />
        <source>Show problem ledger</source>
        <translation>显示问题台账</translation>
    </message>
</context>
<context>
    <name>TeamController</name>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="232" />
        <location filename="../../gisapp/qt/team_ext.py" line="301" />
        <location filename="../../gisapp/qt/team_ext.py" line="315" />
        <source>Open PostGIS project…</source>
        <extracomment>the column that names a feature in messages, per layer tables a role writes that are not layers but count as "may write" (records, ledger)</extracomment>
        <translation>打开 PostGIS 项目…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="237" />
        <source>&amp;Team</source>
        <translation>团队(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="242" />
        <source>Send my changes to the database</source>
        <translation>将我的修改提交到数据库</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="245" />
        <source>Refresh from the database</source>
        <translation>从数据库刷新</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="248" />
        <source>Conflicts…</source>
        <translation>冲突…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="302" />
        <source>PostgreSQL address (the password stays in ~/.pgpass):</source>
        <translation>PostgreSQL 地址（密码保存在 ~/.pgpass 中）：</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="317" />
        <source>%1 is not a PostgreSQL address: it must start with postgresql:// or pg:.</source>
        <translation>%1 不是 PostgreSQL 地址：应以 postgresql:// 或 pg: 开头。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="337" />
        <source>Connecting to the database…</source>
        <translation>正在连接数据库…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="356" />
        <source>database owner</source>
        <translation>数据库所有者</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="358" />
        <source>no PipeAtlas role</source>
        <translation>无 PipeAtlas 角色</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="360" />
        <source>field engineer</source>
        <translation>现场工程师</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="361" />
        <source>park staff</source>
        <translation>园区工作人员</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="362" />
        <source>auditor</source>
        <translation>审核人员</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="376" />
        <source>Signed in as %1 (%2)</source>
        <translation>当前用户 %1（%2）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="379" />
        <source>Read only: your role may write comments only.</source>
        <translation>只读：您的角色只能填写意见。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="381" />
        <location filename="../../gisapp/qt/team_ext.py" line="426" />
        <source>%1 change(s) by others since the last refresh</source>
        <translation>自上次刷新以来，其他人修改了 %1 处</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="385" />
        <source>%1 conflict(s) waiting</source>
        <translation>%1 个冲突待处理</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="398" />
        <source>May write: %1</source>
        <translation>可写入：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="400" />
        <source>Read only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="470" />
        <source>Your changes are kept in this computer's copy; the next Save sends them.</source>
        <translation>您的修改保存在本机副本中，下次保存时将提交到数据库。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="476" />
        <source>Sending changes to the database</source>
        <translation>正在将修改提交到数据库</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="491" />
        <source>%1 change(s) sent to the database</source>
        <translation>已将 %1 处修改提交到数据库</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="496" />
        <source>%1 was changed by %2 at %3; your change was not written.</source>
        <translation>%1 已被 %2 于 %3 修改；您的修改未写入。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="503" />
        <source>%1 %2: refused for your role.</source>
        <translation>%1 %2：您的角色无权写入。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="511" />
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="514" />
        <source>%1 conflict(s) with others' changes, %2 change(s) refused. Nothing is lost: your version is kept (Team → Conflicts…).</source>
        <translation>与他人修改冲突 %1 处，被拒绝 %2 处。数据未丢失：您的版本已保留（团队 → 冲突…）。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/team_ext.py" line="536" />
        <source>Save the changes before refreshing from the database?</source>
        <translation>从数据库刷新前是否保存修改？</translation>
    </message>
</context>
<context>
    <name>TraceController</name>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="173" />
        <source>Trace</source>
        <translation>追踪</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="176" />
        <source>Click an enterprise, manhole or pipe: downstream. Click an outfall or plant: upstream. Ctrl/Shift-click several outfalls: common upstream. Esc clears.</source>
        <translation>单击企业、检查井或管线：下游追踪。单击排放口或污水处理厂：上游追踪。按住 Ctrl/Shift 单击多个排放口：共同上游。按 Esc 清除。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="186" />
        <source>Clear trace results</source>
        <translation>清除追踪结果</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="206" />
        <source>The network is being built; clicks are traced when it is ready.</source>
        <translation>管网正在构建中，就绪后将追踪您单击的对象。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="216" />
        <source>Nothing to trace here: click an enterprise, manhole, pipe, outfall or plant.</source>
        <translation>此处没有可追踪的对象：请单击企业、检查井、管线、排放口或污水处理厂。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="276" />
        <source>The network is being built; the trace runs when it is ready.</source>
        <translation>管网正在构建中，就绪后将执行追踪。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="110" />
        <location filename="../../gisapp/qt/trace_panel.py" line="290" />
        <source>Tracing</source>
        <translation>正在追踪</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="320" />
        <source>Trace cancelled</source>
        <translation>追踪已取消</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="479" />
        <source>reaches %1 (%2 m along the shortest path)</source>
        <translation>到达 %1（最短路径 %2 m）</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="486" />
        <source>reaches no plant or outfall</source>
        <translation>未到达任何污水处理厂或排放口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="487" />
        <source>Downstream of %1: %2.</source>
        <translation>%1 的下游：%2。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="489" />
        <source>%1 dead end(s): %2.</source>
        <translation>%1 处断头：%2。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="492" />
        <source>%1 pipes, %2 m in the traced area.</source>
        <translation>追踪范围内共 %1 条管线，%2 m。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="497" />
        <source>Upstream of %1</source>
        <translation>%1 的上游</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="499" />
        <source>Common upstream of %1</source>
        <translation>%1 的共同上游</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="504" />
        <source>%1 enterprise(s), %2 pipes, %3 m.</source>
        <translation>%1 家企业，%2 条管线，%3 m。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="510" />
        <source>No enterprise drains to all of them.</source>
        <translation>没有企业的污水能同时流向所有选中的对象。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="512" />
        <source>Stopped at %1 closed/blocked pipe(s) or manhole(s).</source>
        <translation>在 %1 处关闭/堵塞的管线或检查井处停止。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="522" />
        <source>%1 data problem(s) in the traced area (%2 errors): the result is not trustworthy there. See the Warnings tab.</source>
        <translation>追踪范围内有 %1 个数据问题（%2 个错误），该处结果不可靠。请查看“警告”选项卡。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="634" />
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="635" />
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="636" />
        <source>info</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="641" />
        <source>Plant</source>
        <translation>污水处理厂</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="642" />
        <source>Outfall</source>
        <translation>排放口</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_panel.py" line="643" />
        <source>Dead end</source>
        <translation>断头</translation>
    </message>
</context>
<context>
    <name>TraceDock</name>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="62" />
        <source>Trace</source>
        <translation>追踪</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="95" />
        <location filename="../../gisapp/qt/trace_dock.py" line="169" />
        <source>Reached</source>
        <translation>到达点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="96" />
        <location filename="../../gisapp/qt/trace_dock.py" line="106" />
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="99" />
        <location filename="../../gisapp/qt/trace_dock.py" line="107" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="98" />
        <source>Manhole</source>
        <translation>检查井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="97" />
        <source>Distance (m)</source>
        <translation>距离 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="108" />
        <source>Flow (t/d)</source>
        <translation>水量 (t/d)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="109" />
        <source>COD (mg/L)</source>
        <translation>COD (mg/L)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="110" />
        <source>Connection manhole</source>
        <translation>接入井</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="117" />
        <source>Pipe</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="118" />
        <source>Length (m)</source>
        <translation>长度 (m)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="119" />
        <source>DN (mm)</source>
        <translation>DN (mm)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="120" />
        <source>System</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="121" />
        <source>From</source>
        <translation>起点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="122" />
        <source>To</source>
        <translation>终点</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="128" />
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="128" />
        <source>Check</source>
        <translation>检查项</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="128" />
        <source>Features</source>
        <translation>要素</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="128" />
        <source>Message</source>
        <translation>信息</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="139" />
        <source>Zoom to result</source>
        <translation>缩放至结果</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="141" />
        <source>Longitudinal profile</source>
        <translation>纵断面图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="144" />
        <source>Profile of the first path from the start to the plant or outfall</source>
        <translation>从起点到污水处理厂或排放口的第一条路径的纵断面图</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="146" />
        <source>Clear (Esc)</source>
        <translation>清除 (Esc)</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="157" />
        <source>Trace tool: click an enterprise, manhole or pipe to follow its water downstream; click an outfall or plant to see everything upstream; Ctrl/Shift-click several outfalls for their common upstream.</source>
        <translation>追踪工具：单击企业、检查井或管线，沿水流进行下游追踪；单击排放口或污水处理厂，查看其全部上游；按住 Ctrl/Shift 单击多个排放口，查看其共同上游。</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="170" />
        <source>Enterprises</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="171" />
        <source>Pipes</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="172" />
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/trace_dock.py" line="209" />
        <source>… %1 more (all highlighted on the map)</source>
        <translation>… 另有 %1 项（均已在地图上高亮显示）</translation>
    </message>
</context>
<context>
    <name>dock</name>
    <message>
        <location filename="../../gisapp/qt/dossier_dock.py" line="543" />
        <source>Park dossier…</source>
        <translation>一园一档…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/outfalls_dock.py" line="985" />
        <source>Outfall register…</source>
        <translation>排污口登记（查测溯治）…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/acceptance_dock.py" line="654" />
        <source>Zero-direct-discharge acceptance…</source>
        <translation>污水零直排区验收…</translation>
    </message>
    <message>
        <location filename="../../gisapp/qt/balance_dock.py" line="543" />
        <source>Pollutant balance…</source>
        <translation>区域水污染物平衡核算…</translation>
    </message>
</context>
</TS>