"""The edit commands with undo, one module per kind of edit (no Qt).

``delta`` (:class:`LayerDelta`, the reversible change of one layer), ``base`` (the
:class:`LayerStore`, the :class:`LayerCommand` base, :class:`Macro`, :class:`EditError`),
``features`` (finding features, new ids, mirrored fields), and the edits: ``add``
(AddPipe, AddManhole), ``move`` (MoveVertex), ``delete`` (DeleteFeatures), ``reverse``
(ReversePipe), ``snap`` (SnapIndex, SnapTarget, SnapEnd), ``split``
(SplitPipeAtManhole), ``attributes`` (SetAttributes). Import them from
:mod:`network.commands`.
"""
